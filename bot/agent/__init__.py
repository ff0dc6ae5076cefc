"""The call-center agent assist: script phrasing, the side panel and the console login."""
