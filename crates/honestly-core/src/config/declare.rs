//! The shape of a variable's declaration, and the macro that turns the declarations of
//! `variables.rs` into the parser, `describe()` and the list [`super::VARIABLES`].

/// One variable the configuration reads, as declared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Variable {
    /// Its name in the environment, e.g. `PORT`.
    pub name: &'static str,
    /// What it sets, in one line.
    pub meaning: &'static str,
    /// Its value when it is not set (or blank).
    pub default: DefaultText,
    /// Whether it holds a secret: never printed, listed empty in `.env.example`.
    pub secret: bool,
}

/// A variable's default, as `.env.example` and `docs/configuration.md` document it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DefaultText {
    /// This value, written as `honestly config check` prints it.
    Fixed(&'static str),
    /// One value in development, another in production (an empty one: none).
    PerEnvironment {
        /// The default of a development server.
        development: &'static str,
        /// The default of a production deployment.
        production: &'static str,
    },
    /// Built from other variables, e.g. `DATA_DIR/zk`.
    Derived(&'static str),
    /// A secret a development server generates for itself; production requires it.
    Generated,
    /// No value.
    Unset,
}

/// Declares every variable once. Each entry reads
///
/// ```text
/// /// what it sets, in one line
/// "NAME" [secret] => field: Type {
///     default: DefaultText,       // for the documentation and its tests
///     read: |v| …,                // a parser of `Var`; may use the fields declared above
///     show: |c| …,                // its value in `Config`, as `honestly config check` prints it
/// }
/// ```
///
/// and the macro yields, in declaration order, the struct `Parsed` (one field per variable),
/// `parse()` (reads every variable, collecting every problem), `describe()` and `VARIABLES`.
macro_rules! declare_variables {
    (@secret) => { false };
    (@secret secret) => { true };
    ($(
        #[doc = $meaning:literal]
        $name:literal $($secret:ident)? => $field:ident: $ty:ty {
            default: $default:expr,
            read: $read:expr,
            show: $show:expr $(,)?
        }
    )*) => {
        /// Every variable's typed value, before secrets are settled (they may still come from
        /// the development file).
        pub(super) struct Parsed {
            $(
                #[doc = $meaning]
                pub $field: $ty,
            )*
        }

        /// Every variable the configuration reads, in the order `honestly config check` prints
        /// them.
        pub static VARIABLES: &[$crate::config::Variable] = &[$(
            $crate::config::Variable {
                name: $name,
                meaning: $meaning.trim_ascii(),
                default: $default,
                secret: declare_variables!(@secret $($secret)?),
            },
        )*];

        /// Reads every variable in declaration order; fails with all the problems found.
        pub(super) fn parse(
            vars: &$crate::config::EnvMap,
        ) -> Result<Parsed, Vec<$crate::config::ConfigProblem>> {
            let mut problems = Vec::new();
            $(
                let $field: $ty = $crate::config::read::read(vars, &mut problems, $name, $read);
            )*
            if problems.is_empty() {
                Ok(Parsed { $($field),* })
            } else {
                Err(problems)
            }
        }

        /// `(VARIABLE, value)` for every variable of `config`, secrets masked.
        pub(super) fn describe(config: &$crate::config::Config) -> Vec<(&'static str, String)> {
            vec![$(($name, $crate::config::show::show(config, $show))),*]
        }
    };
}

pub(super) use declare_variables;
