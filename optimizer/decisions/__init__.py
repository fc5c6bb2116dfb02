"""Decisions the steering group must take, one module per question.

- ``jobs``: positions per member and service alone and in the cooperation (transferred, no longer needed);
- ``priorities``: the best plan cooperating on at most N services, for every N;
- ``why_host``: what another host for each shared unit would cost, in one sentence per service;
- ``locks``: locked and forbidden hosts as a scenario overlay, and what the locks cost.

Each is one function over a built ``HostChoiceModel`` (re-solved, never rebuilt) that the CLI, the
app's views and the reports all call.
"""
