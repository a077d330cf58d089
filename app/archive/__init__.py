"""Archive: content-addressed storage of the files the service issues or accepts."""
