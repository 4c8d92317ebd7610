"""mlgen: requirements in, a compliant and costed ML repository out."""

__version__ = "0.1.0"
