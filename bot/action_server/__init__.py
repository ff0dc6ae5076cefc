"""The action server (`python -m bot.action_server`) and its lead service. This process alone
touches the leads database and holds its encryption key."""
