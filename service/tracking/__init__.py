"""Use cases of goals and actions: aspirations and goals, logging actions, confirming planned blocks
and the signed links that answer them."""
