"""Getting documents into the index: text complaints from files (and a live feed), phone contacts from
the case store. Each item is masked, tokenised, optionally classified, then upserted by its stable id:
a re-run adds nothing twice, and a checkpoint lets an interrupted run resume."""
