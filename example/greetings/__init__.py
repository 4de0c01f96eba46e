"""A one-page app: a greeting rendered with a stylesheet and a script, and its own check."""
