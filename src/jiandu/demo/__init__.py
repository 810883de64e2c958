"""The demo district (`jiandu demo`): agencies, people and complaints, loaded through the services."""
