"""Reference data: Jianyuan 2007-1's published figures and loan tape; the generated illustrative NPL tape."""
