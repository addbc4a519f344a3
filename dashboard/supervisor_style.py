"""The look the supervisors' history and staffing pages share (the wallboard has its own, denser one)."""

BASE_CSS = """body { font-family: sans-serif; margin: 0 auto; max-width: 1400px; padding: 0 1rem; color: #222; }
header { display: flex; gap: 1rem; align-items: center; border-bottom: 2px solid #2b5797; }
nav.pages { display: flex; gap: .8rem; } nav.pages a { color: #2b5797; }
header h1 { font-size: 1.4rem; flex: 1; } .controls { display: flex; flex-wrap: wrap; gap: .8rem;
  align-items: flex-end; margin: .8rem 0; } .field { display: flex; flex-direction: column; gap: .2rem; }
table.grid { border-collapse: collapse; width: 100%; margin: .5rem 0 1.2rem; font-size: .85rem; }
table.grid th, table.grid td { border: 1px solid #ccc; padding: .25rem .4rem; text-align: right; }
.field .dash-input { min-width: 10rem; } .field .dash-input:has(.wide) { min-width: 18rem; }"""
