"""Sign-in: the only page of a session without a user."""

from components.auth import login_page

login_page()
