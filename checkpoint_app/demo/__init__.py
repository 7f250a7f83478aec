"""`checkpoint-app --demo`: the in-process authority with the demo keys and people, the demo
video as the camera, the demo thermometer and the throwaway folders.

Only the composition root (for --demo) and the selftest import it, and only when asked:
it pulls in the authority (Flask, SQLAlchemy, waitress), which a kiosk start never loads."""
