"""sitegen: publishes budget performance target tables as a bilingual website and PDFs."""

__version__ = "0.1.0"
