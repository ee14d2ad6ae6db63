"""Kehu (客户): a self-hosted CRM for clean, protected, searchable customer data."""

__version__ = "0.1.0"
