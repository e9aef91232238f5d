"""Rules that guard the edges: which addresses a server may send data to, how failed sign-ins are
slowed down, and what text netgoals keeps."""
