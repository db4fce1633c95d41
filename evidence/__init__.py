"""evidence: a self-hosted literature evidence tracker."""
