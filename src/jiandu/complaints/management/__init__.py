"""Console commands of the complaints app (`jiandu hotline_account`, `jiandu hotline_import`)."""
