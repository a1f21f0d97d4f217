"""HTML views of calibration: sessions (sessions.py), rubrics and QA evaluations."""
