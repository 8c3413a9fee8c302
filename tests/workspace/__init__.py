import warnings

from starlette.exceptions import StarletteDeprecationWarning

# Starlette's test client asks for httpx2; httpx works and is what FastAPI's documentation uses today.
warnings.filterwarnings("ignore", category=StarletteDeprecationWarning)
