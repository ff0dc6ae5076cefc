"""Understanding a whole message: its sentences, the questions and requests among them, the
facts it states, and the reply plan that answers them (pure: no Rasa, no environment)."""
