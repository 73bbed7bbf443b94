//! Whether two declarations agree in everything the comparison looks at: the fast path that
//! lets a warm check skip the member-by-member diff of the (many) pairs that did not drift.
//!
//! Every field but the byte ranges is compared, through exhaustive destructuring: a field added
//! to the model must be decided here (the compiler says so), so the fast path can never hide a
//! difference the full diff would report.

use crate::model::{Body, Declaration, Member};

/// `a` and `b` differ at most in where they are written (spans): the full diff of the pair
/// would find nothing.
pub(super) fn same_declaration(a: &Declaration, b: &Declaration) -> bool {
    let Declaration {
        name,
        kind,
        type_params,
        heritage,
        body,
        deprecated,
        span: _,
        name_span: _,
        type_params_span: _,
        heritage_span: _,
        body_span: _,
    } = a;
    *name == b.name
        && *kind == b.kind
        && *type_params == b.type_params
        && *heritage == b.heritage
        && *deprecated == b.deprecated
        && same_body(body, &b.body)
}

fn same_body(a: &Body, b: &Body) -> bool {
    match (a, b) {
        (Body::Members(x), Body::Members(y)) | (Body::Enum(x), Body::Enum(y)) => same_members(x, y),
        (
            Body::Alias {
                ty: at,
                rhs_span: _,
                union: au,
            },
            Body::Alias {
                ty: bt,
                rhs_span: _,
                union: bu,
            },
        ) => {
            at == bt
                && match (au, bu) {
                    (Some(x), Some(y)) => same_members(x, y),
                    (None, None) => true,
                    _ => false,
                }
        }
        _ => false,
    }
}

fn same_members(a: &[Member], b: &[Member]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same_member(x, y))
}

fn same_member(a: &Member, b: &Member) -> bool {
    let Member {
        name,
        shape,
        optional,
        readonly,
        deprecated,
        has_body,
        span: _,
        decl_span: _,
        name_span: _,
        type_span: _,
        question_span: _,
        readonly_span: _,
    } = a;
    *name == b.name
        && *shape == b.shape
        && *optional == b.optional
        && *readonly == b.readonly
        && *deprecated == b.deprecated
        && *has_body == b.has_body
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Side;
    use crate::syntax;

    fn decl(text: &str) -> Declaration {
        let m = syntax::parse_file("a.ts", "a.ts", Side::Spec, text.into());
        m.declarations
            .into_values()
            .next()
            .expect("one declaration")
    }

    #[test]
    fn declarations_written_differently_are_the_same() {
        let a = decl("export interface A { readonly x: number; y?: string }");
        let b =
            decl("\n\n/** doc */\nexport interface A {\n  readonly x: number\n  y?: string\n}\n");
        assert_ne!(a.span, b.span);
        assert!(same_declaration(&a, &b));
    }

    #[test]
    fn any_difference_the_diff_reports_is_not_the_same() {
        let base =
            "export interface A<T> extends B { readonly x: number; y?: string; m(a: T): void }";
        let a = decl(base);
        for other in [
            "export interface A<T> extends B { x: number; y?: string; m(a: T): void }",
            "export interface A<T> extends B { readonly x: number; y: string; m(a: T): void }",
            "export interface A<T> extends B { readonly x: string; y?: string; m(a: T): void }",
            "export interface A<U> extends B { readonly x: number; y?: string; m(a: U): void }",
            "export interface A<T> extends C { readonly x: number; y?: string; m(a: T): void }",
            "export interface A<T> extends B { readonly z: number; y?: string; m(a: T): void }",
            "export interface A<T> extends B { y?: string; readonly x: number; m(a: T): void }",
            "export interface A<T> extends B { readonly x: number; y?: string; m(a: T): string }",
            "export interface A<T> extends B {\n  readonly x: number;\n  y?: string;\n  /** @deprecated use n */\n  m(a: T): void;\n}",
            "/** @deprecated */ export interface A<T> extends B { readonly x: number; y?: string; m(a: T): void }",
            "export type A<T> = B & { readonly x: number; y?: string; m(a: T): void }",
            "export class A<T> extends B { readonly x: number; y?: string; m(a: T): void {} }",
        ] {
            assert!(!same_declaration(&a, &decl(other)), "{other}");
        }
        let e = decl("export enum E { A = 1, B = 2 }");
        assert!(!same_declaration(
            &e,
            &decl("export enum E { A = 1, B = 3 }")
        ));
        let u = decl("export type U = 'a' | 'b';");
        assert!(same_declaration(
            &u,
            &decl("export type U =\n  | 'a'\n  | 'b'")
        ));
        assert!(!same_declaration(&u, &decl("export type U = 'a' | 'c';")));
    }
}
