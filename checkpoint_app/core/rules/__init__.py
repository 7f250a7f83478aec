"""The JsonLogic subset of spec 4.2 and the decision it yields."""
