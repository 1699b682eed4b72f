"""The staff blueprint, /staff, with its templates and static files. Its own module, so the pages
import it without importing the package."""

from flask import Blueprint

bp = Blueprint("staff", __name__, url_prefix="/staff", template_folder="templates",
               static_folder="static", static_url_path="/static")
