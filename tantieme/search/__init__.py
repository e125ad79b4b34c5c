"""Finding co-owners, condominiums and bank lines from one search box (issue 13, item 5)."""
