//! Schemas utoipa cannot derive: a body or an answer that is one of several types.

/// Implements utoipa's schema traits for `$target` as a `oneOf` (or
/// `anyOf`) of the named real types: for a body or an answer whose shape the
/// handler picks by a field (`usertype`, the CSRF field) or by the family
/// that answers.
macro_rules! schema_union {
    ($builder:ident, $target:ty, $description:expr, $($variant:ty),+ $(,)?) => {
        impl utoipa::PartialSchema for $target {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::schema::$builder::new()
                    $(.item(utoipa::openapi::Ref::from_schema_name(<$variant as utoipa::ToSchema>::name())))+
                    .description(Some($description))
                    .into()
            }
        }

        impl utoipa::ToSchema for $target {
            fn schemas(schemas: &mut Vec<(String, utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>)>) {
                $(
                    schemas.push((
                        <$variant as utoipa::ToSchema>::name().into_owned(),
                        <$variant as utoipa::PartialSchema>::schema(),
                    ));
                    <$variant as utoipa::ToSchema>::schemas(schemas);
                )+
            }
        }
    };
}
pub(crate) use schema_union;

/// Exactly one of the types: they exclude each other.
macro_rules! one_of {
    ($($union:tt)*) => { $crate::edge::schema::schema_union!(OneOfBuilder, $($union)*); };
}
pub(crate) use one_of;

/// One or more of the types: their shapes overlap.
macro_rules! any_of {
    ($($union:tt)*) => { $crate::edge::schema::schema_union!(AnyOfBuilder, $($union)*); };
}
pub(crate) use any_of;
