"""Churn and repurchase likelihood per customer (issue 17): a model trained on the company's
own history, evaluated honestly on a time-based hold-out, off when there is too little history."""
