"""The named reports: customer health, high-value churn, dormancy, the monthly KPI sheet."""
