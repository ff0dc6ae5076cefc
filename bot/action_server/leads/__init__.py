"""Specialist referrals ("leads"): storage, encryption, notification and the specialist's CLI."""
