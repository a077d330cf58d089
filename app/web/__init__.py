"""Web layer: one blueprint per audience (public pages, JSON API) and the shared error shape."""
