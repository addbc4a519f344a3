"""Centers (tenants): the 156 call centers, their numbers, hours and overflow partners."""
