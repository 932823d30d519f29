//! Enumerations with a stable code and a French label, written once by `labelled_enum!`.
//!
//! The code is the serde name (snake case), used in JSON, forms and URLs; the label is what a
//! person reads. This module only generates the boilerplate (`ALL`, `as_str`, `label`, `parse`,
//! `FromStr`); each enumeration's meaning is documented where it is declared.

/// A code that names no value of an enumeration (from `FromStr`).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{what} : « {value} ».")]
pub struct UnknownValue {
    /// What was expected, in French ("Catégorie inconnue").
    pub what: &'static str,
    /// The text received.
    pub value: String,
}

/// Declares an enumeration with its codes and French labels.
///
/// ```ignore
/// labelled_enum! {
///     /// Doc.
///     pub enum Colour ("Couleur inconnue") {
///         Red = "red", "Rouge";
///     }
/// }
/// ```
macro_rules! labelled_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident ($what:literal) {
            $( $(#[$vmeta:meta])* $variant:ident = $code:literal, $label:literal; )+
        }
    ) => {
        $(#[$meta])*
        #[derive(
            Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord,
            serde::Serialize, serde::Deserialize,
        )]
        #[serde(rename_all = "snake_case")]
        $vis enum $name {
            $( $(#[$vmeta])* $variant, )+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: [$name; [$($code),+].len()] = [$($name::$variant),+];

            /// The stable code (the serde name).
            pub fn as_str(self) -> &'static str {
                match self {
                    $( $name::$variant => $code, )+
                }
            }

            /// The French label.
            pub fn label(self) -> &'static str {
                match self {
                    $( $name::$variant => $label, )+
                }
            }

            /// Reads a code (surrounding spaces and ASCII case ignored).
            pub fn parse(text: &str) -> Option<Self> {
                let text = text.trim();
                Self::ALL
                    .into_iter()
                    .find(|value| value.as_str().eq_ignore_ascii_case(text))
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::labelled::UnknownValue;

            fn from_str(text: &str) -> Result<Self, Self::Err> {
                Self::parse(text).ok_or_else(|| $crate::labelled::UnknownValue {
                    what: $what,
                    value: text.to_owned(),
                })
            }
        }
    };
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use crate::model::{Category, Since, TimeSlot, Weekday};
    use crate::point::{OperationKind, PointStatus};
    use crate::status::{ReportStatus, ReporterStatus};
    use std::collections::HashSet;
    use std::str::FromStr;

    /// The code is the serde name, codes and labels are unique, and every code parses back.
    fn check<T>(all: &[T], as_str: fn(&T) -> &'static str, label: fn(&T) -> &'static str)
    where
        T: serde::Serialize + serde::de::DeserializeOwned + FromStr + PartialEq + std::fmt::Debug,
    {
        let mut codes = HashSet::new();
        let mut labels = HashSet::new();
        for value in all {
            let code = as_str(value);
            assert_eq!(serde_json::to_value(value).unwrap(), code, "{value:?}");
            let back: T = serde_json::from_value(serde_json::json!(code)).unwrap();
            assert_eq!(&back, value);
            assert!(T::from_str(code).ok().as_ref() == Some(value), "{code}");
            assert!(
                T::from_str(&format!(" {} ", code.to_uppercase()))
                    .ok()
                    .as_ref()
                    == Some(value),
                "{code} in capitals"
            );
            assert!(codes.insert(code), "duplicate code {code}");
            assert!(
                labels.insert(label(value)),
                "duplicate label {}",
                label(value)
            );
        }
        assert!(T::from_str("nonsense").is_err());
    }

    #[test]
    fn codes_are_serde_names_and_labels_are_unique() {
        check(&Category::ALL, |v| v.as_str(), |v| v.label());
        check(&Weekday::ALL, |v| v.as_str(), |v| v.label());
        check(&TimeSlot::ALL, |v| v.as_str(), |v| v.label());
        check(&Since::ALL, |v| v.as_str(), |v| v.label());
        check(&ReportStatus::ALL, |v| v.as_str(), |v| v.label());
        check(&ReporterStatus::ALL, |v| v.as_str(), |v| v.label());
        check(&PointStatus::ALL, |v| v.as_str(), |v| v.label());
        check(&OperationKind::ALL, |v| v.as_str(), |v| v.label());
    }

    #[test]
    fn unknown_value_message_is_french() {
        let error = Category::from_str("drone").unwrap_err();
        assert_eq!(error.to_string(), "Catégorie inconnue : « drone ».");
    }
}
