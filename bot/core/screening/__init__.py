"""The IVIG screening: reading answers (parsing) and the order of questions (flow)."""
