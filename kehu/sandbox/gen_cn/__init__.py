"""The parts of gen_cn_customers.py (the script beside this package): tables, companies, records."""
