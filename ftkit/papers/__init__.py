"""One module per ready notebook: `ftkit/papers/<slug>.py` holds its PROFILE and the code only that paper needs."""
