"""Public-service lookup (정부24 / 보조금24): the shipped catalog, its converter, Korean search, later eligibility."""
