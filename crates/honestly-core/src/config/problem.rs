//! A problem with the configuration, naming the variable it concerns.

/// One thing wrong with the configuration, naming the variable it concerns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigProblem {
    /// The environment variable at fault.
    pub variable: String,
    /// What is wrong with it, in words an operator can act on.
    pub message: String,
}

impl ConfigProblem {
    /// A problem with `variable`.
    pub fn new(variable: impl Into<String>, message: impl Into<String>) -> Self {
        Self { variable: variable.into(), message: message.into() }
    }
}

impl std::fmt::Display for ConfigProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.variable, self.message)
    }
}
