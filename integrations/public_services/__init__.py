"""Public-service lookup (정부24 / 보조금24): the shipped catalog, its converter and, later, search and eligibility."""
