"""`python -m bot.action_server`: starts the action server."""

import sys

from bot.action_server.server import main

sys.exit(main())
