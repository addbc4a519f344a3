"""``python -m integrations.refsvc``: the reference service (see ``main``)."""

from integrations.refsvc.main import main

main()
