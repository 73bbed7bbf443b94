//! Engine tests: every row of drift-model §2 (never drift) and §4 (each kind), categories,
//! directions, ids, positions and fixes, through the library on in-memory files.

use moment_sync::analysis::{analyze_texts, Analysis};
use moment_sync::fix::apply_edits;
use moment_sync::model::{Category, Direction, DriftKind, DriftPoint, TextEdit};
use moment_sync::report;

const SPEC: &str = "generated/billing/invoice.types.ts";
const IMPL: &str = "src/domain/billing/invoice.types.ts";

fn file(path: &str, text: &str) -> (String, String, String) {
    let side_path = path.split_once('/').map(|(_, r)| r).unwrap_or(path);
    let side_path = side_path.strip_prefix("domain/").unwrap_or(side_path);
    (path.to_string(), side_path.to_string(), text.to_string())
}

fn run(spec: &str, imp: &str) -> Analysis {
    analyze_texts(&[file(SPEC, spec)], &[file(IMPL, imp)])
}

fn kinds(a: &Analysis) -> Vec<DriftKind> {
    a.points.iter().map(|p| p.kind).collect()
}

fn only(a: &Analysis, kind: DriftKind) -> &DriftPoint {
    let found: Vec<&DriftPoint> = a.points.iter().filter(|p| p.kind == kind).collect();
    assert_eq!(found.len(), 1, "expected one {kind}: {:#?}", a.points);
    found[0]
}

fn assert_no_drift(spec: &str, imp: &str) {
    let a = run(spec, imp);
    assert!(
        a.points.is_empty(),
        "expected no drift, got {:#?}",
        a.points
    );
}

/// Applies every point's preferred fix to the implementation text and re-checks.
fn fix_all(spec: &str, imp: &str) -> (String, Analysis) {
    let a = run(spec, imp);
    let edits: Vec<&TextEdit> = a
        .points
        .iter()
        .filter_map(|p| p.fixes.first())
        .flat_map(|f| f.edits.iter())
        .filter(|e| e.path == IMPL)
        .collect();
    let fixed = apply_edits(IMPL, imp, &edits).expect("fix edits apply");
    let again = run(spec, &fixed);
    (fixed, again)
}

// ---- §2: never drift ----

#[test]
fn formatting_comments_order_and_separators_are_not_drift() {
    assert_no_drift(
        "export interface A { readonly a: string; b?: number; c(x: number): void }",
        "// hand written\nexport interface A {\n  c(y: number): void,\n  /* doc */ b?: number\n  readonly   a :  string\n}\n",
    );
}

#[test]
fn interface_and_object_type_alias_are_the_same_shape() {
    assert_no_drift(
        "export interface A { a: string }",
        "export type A = { a: string };",
    );
    assert_no_drift(
        "export type A = { a: string }",
        "export interface A { a: string }",
    );
}

#[test]
fn union_and_intersection_order_duplicates_and_parentheses_are_not_drift() {
    assert_no_drift(
        "export type S = 'a' | 'b' | 'c';",
        "export type S = 'c' | ('a' | 'b') | 'a';",
    );
    assert_no_drift("export type I = A & B;", "export type I = (B & A);");
    assert_no_drift(
        "export interface X { f: (A | B)[] }",
        "export interface X { f: Array<B | A> }",
    );
}

#[test]
fn quote_styles_are_not_drift() {
    assert_no_drift(
        "export type S = 'a' | \"b\";",
        "export type S = \"a\" | 'b';",
    );
    assert_no_drift(
        "export interface X { 'a-b': string; c: number }",
        "export interface X { \"a-b\": string; 'c': number }",
    );
}

#[test]
fn array_spellings_are_not_drift() {
    assert_no_drift(
        "export interface X { a: string[]; b: readonly string[] }",
        "export interface X { a: Array<string>; b: ReadonlyArray<string> }",
    );
}

#[test]
fn a_type_moved_to_another_file_is_not_drift_but_noted() {
    let a = analyze_texts(
        &[file(
            SPEC,
            "export interface A { a: string }\nexport interface B { b: string }",
        )],
        &[
            file(IMPL, "export interface A { a: string }"),
            file(
                "src/domain/billing/other.ts",
                "export interface B { b: string }",
            ),
        ],
    );
    assert!(a.points.is_empty(), "{:#?}", a.points);
    assert_eq!(a.moves.len(), 1);
    assert_eq!(a.moves[0].symbol, "B");
}

#[test]
fn class_public_members_compare_with_interface_members() {
    assert_no_drift(
        "export interface Agg { readonly id: string; place(c: Cmd): Evt }",
        "export class Agg {\n  private log: string[] = [];\n  static create(): Agg { return new Agg('x'); }\n  constructor(public readonly id: string) {}\n  place(command: Cmd): Evt { return {} as Evt; }\n  #secret = 1;\n}",
    );
}

#[test]
fn enum_implicit_values_equal_explicit_ones() {
    assert_no_drift(
        "export enum E { A, B, C = 10, D }",
        "export const enum E { A = 0, B = 1, C = 0xA, D = 11 }",
    );
}

#[test]
fn export_forms_barrels_and_private_declarations() {
    // Exported later through `export { }`, and `export default`.
    assert_no_drift(
        "export interface A { a: string }\nexport class K { k!: number }",
        "interface A { a: string }\nexport { A };\nexport default class K { k!: number }",
    );
    // Non-exported declarations and re-exports are not compared.
    let a = run(
        "export interface A { a: string }",
        "export interface A { a: string }\ninterface Hidden { h: string }\nexport * from './x';",
    );
    assert!(a.points.is_empty(), "{:#?}", a.points);
}

#[test]
fn merged_interfaces_are_merged() {
    assert_no_drift(
        "export interface A { a: string; b: number }",
        "export interface A { a: string }\nexport interface A { b: number }",
    );
}

#[test]
fn method_parameter_names_do_not_count() {
    assert_no_drift(
        "export interface A { m(command: string, n?: number): void }",
        "export interface A { m(c: string, count?: number): void }",
    );
}

// ---- §4: each kind ----

#[test]
fn missing_type_is_category_1_spec_ahead_with_a_fix_that_adds_it() {
    let spec = "export interface A { a: string }\n/** Paid. */\nexport interface Paid { readonly at: string }\n";
    let imp = "export interface A { a: string }\n";
    let a = run(spec, imp);
    let p = only(&a, DriftKind::MissingType);
    assert_eq!(
        (p.category, p.direction, p.symbol.as_str()),
        (Category::CleanApply, Direction::SpecAhead, "Paid")
    );
    assert!(p.member.is_none());
    let (fixed, again) = fix_all(spec, imp);
    assert!(
        fixed.contains("/** Paid. */\nexport interface Paid { readonly at: string }"),
        "{fixed}"
    );
    assert!(again.points.is_empty(), "{:#?}", again.points);
}

#[test]
fn missing_type_without_partner_file_creates_it() {
    let a = analyze_texts(&[file(SPEC, "export interface A { a: string }")], &[]);
    let p = only(&a, DriftKind::MissingType);
    let fix = &p.fixes[0];
    assert!(fix.creates_file);
    assert_eq!(fix.edits[0].path, IMPL);
    assert!(p.implementation.is_none());
}

#[test]
fn extra_type_is_impl_ahead_category_2() {
    let a = run(
        "export interface A { a: string }",
        "export interface A { a: string }\nexport interface Draft { x: number; y: number }",
    );
    let p = only(&a, DriftKind::ExtraType);
    assert_eq!(
        (p.category, p.direction),
        (Category::ManageableDrift, Direction::ImplAhead)
    );
    assert_eq!(p.symbol, "Draft");
}

#[test]
fn implementation_files_that_pair_with_nothing_are_ignored() {
    let a = analyze_texts(
        &[file(SPEC, "export interface A { a: string }")],
        &[
            file(IMPL, "export interface A { a: string }"),
            file(
                "src/domain/util/helpers.ts",
                "export interface Helper { h: string }",
            ),
        ],
    );
    assert!(a.points.is_empty(), "{:#?}", a.points);
}

#[test]
fn renamed_type_pairs_similar_left_overs() {
    let a = run(
        "export interface CreditNote { id: string; invoiceId: string; reason: string }",
        "export interface CreditMemo { id: string; invoiceId: string; reason: string }",
    );
    assert_eq!(kinds(&a), vec![DriftKind::RenamedType]);
    let p = &a.points[0];
    assert_eq!(
        (p.expected.as_deref(), p.actual.as_deref()),
        (Some("CreditNote"), Some("CreditMemo"))
    );
    assert_eq!(p.category, Category::ManageableDrift);
    let (fixed, again) = fix_all(
        "export interface CreditNote { id: string; invoiceId: string; reason: string }",
        "export interface CreditMemo { id: string; invoiceId: string; reason: string }",
    );
    assert!(fixed.starts_with("export interface CreditNote"), "{fixed}");
    assert!(again.points.is_empty());
}

#[test]
fn an_already_drifted_type_renamed_in_the_spec_is_a_rename_that_keeps_its_member_drift() {
    // The implementation's `total` had drifted and `note` was never added; then the spec renamed
    // `Invoice` to `Bill`.
    let spec = "export interface Bill { readonly id: string; total: number; note?: string }";
    let imp = "export interface Invoice { readonly id: string; total: string }";
    let a = run(spec, imp);
    let mut found = kinds(&a);
    found.sort();
    let mut expected = vec![
        DriftKind::RenamedType,
        DriftKind::ChangedType,
        DriftKind::MissingMember,
    ];
    expected.sort();
    assert_eq!(found, expected, "{:#?}", a.points);
    let renamed = only(&a, DriftKind::RenamedType);
    assert_eq!(
        (renamed.expected.as_deref(), renamed.actual.as_deref()),
        (Some("Bill"), Some("Invoice"))
    );
    // The member diagnostics stay on the implementation's declaration.
    assert_eq!(
        only(&a, DriftKind::ChangedType).member.as_deref(),
        Some("total")
    );
    // The clean fixes (category 1) add the missing member; they never add a copy of the type.
    let clean: Vec<&TextEdit> = a
        .points
        .iter()
        .filter(|p| p.category == Category::CleanApply)
        .filter_map(|p| p.fixes.first())
        .flat_map(|f| f.edits.iter())
        .collect();
    let fixed = apply_edits(IMPL, imp, &clean).expect("clean fixes apply");
    assert_eq!(fixed.matches("interface").count(), 1, "{fixed}");
    // Every preferred fix: the renamed type, its members fixed, nothing left.
    let (fixed, again) = fix_all(spec, imp);
    assert!(fixed.starts_with("export interface Bill"), "{fixed}");
    assert!(again.points.is_empty(), "{fixed}: {:#?}", again.points);
}

#[test]
fn a_new_spec_type_sharing_few_member_names_is_not_a_rename() {
    let a = run(
        "export interface Refund { readonly id: string; reason: string; amount: number }",
        "export interface Draft { readonly id: number; title: string; body: string }",
    );
    let mut found = kinds(&a);
    found.sort();
    assert_eq!(found, vec![DriftKind::MissingType, DriftKind::ExtraType]);
}

#[test]
fn missing_members_categories() {
    let spec = "export interface A {\n  a: string;\n  req: number;\n  opt?: number;\n  /** @deprecated use a */\n  old?: string;\n  m(): void;\n}\n";
    let imp = "export interface A {\n  a: string;\n}\n";
    let a = run(spec, imp);
    let cat = |m: &str| {
        a.points
            .iter()
            .find(|p| p.member.as_deref() == Some(m))
            .map(|p| p.category.number())
    };
    assert_eq!(cat("req"), Some(2));
    assert_eq!(cat("opt"), Some(1));
    assert_eq!(
        cat("old"),
        Some(1),
        "deprecated (documentation-only) member"
    );
    assert_eq!(cat("m"), Some(2));
    assert!(a
        .points
        .iter()
        .all(|p| p.kind == DriftKind::MissingMember && p.direction == Direction::SpecAhead));
    let (fixed, again) = fix_all(spec, imp);
    assert!(
        fixed.contains("  /** @deprecated use a */\n  old?: string;\n"),
        "deprecation carried over:\n{fixed}"
    );
    assert!(again.points.is_empty(), "{:#?}\n{fixed}", again.points);
}

#[test]
fn enum_and_union_members_are_exhaustiveness_category_2() {
    let a = run(
        "export enum E { A = 'a', B = 'b' }\nexport type U = 'x' | 'y';",
        "export enum E { A = 'a' }\nexport type U = 'x';",
    );
    assert_eq!(
        kinds(&a),
        vec![DriftKind::MissingMember, DriftKind::MissingMember]
    );
    assert!(a
        .points
        .iter()
        .all(|p| p.category == Category::ManageableDrift));
    let (fixed, again) = fix_all(
        "export enum E { A = 'a', B = 'b' }\nexport type U = 'x' | 'y';",
        "export enum E { A = 'a' }\nexport type U = 'x';",
    );
    assert!(again.points.is_empty(), "{:#?}\n{fixed}", again.points);
}

#[test]
fn extra_member_is_impl_ahead() {
    let a = run(
        "export interface A { a: string }",
        "export interface A { a: string; internal: number }",
    );
    let p = only(&a, DriftKind::ExtraMember);
    assert_eq!(
        (p.direction, p.category, p.member.as_deref()),
        (
            Direction::ImplAhead,
            Category::ManageableDrift,
            Some("internal")
        )
    );
    let (_, again) = fix_all(
        "export interface A { a: string }",
        "export interface A { a: string; internal: number }",
    );
    assert!(again.points.is_empty());
}

#[test]
fn renamed_member_needs_same_type_and_similar_name() {
    let a = run(
        "export interface A { customerId: string }",
        "export interface A { customerID: string }",
    );
    let p = only(&a, DriftKind::RenamedMember);
    assert_eq!(
        (
            p.member.as_deref(),
            p.expected.as_deref(),
            p.actual.as_deref()
        ),
        (Some("customerId"), Some("customerId"), Some("customerID"))
    );
    // Different types: not a rename but a missing and an extra member.
    let a = run(
        "export interface A { customerId: string }",
        "export interface A { customerID: number }",
    );
    assert_eq!(kinds(&a).len(), 2);
    assert!(!kinds(&a).contains(&DriftKind::RenamedMember));
}

#[test]
fn changed_type_is_category_3_when_consumers_are_unknown() {
    let a = run(
        "export interface Invoice { total: number }",
        "export interface Invoice {\n  total: string;\n}",
    );
    let p = only(&a, DriftKind::ChangedType);
    assert_eq!(
        (p.expected.as_deref(), p.actual.as_deref()),
        (Some("number"), Some("string"))
    );
    assert_eq!(p.category, Category::Breaking);
    assert_eq!(
        p.message,
        "Invoice.total is `string` here but `number` in the spec"
    );
    assert_eq!(p.fixes[0].title, "Change Invoice.total to `number`");
}

#[test]
fn changed_type_of_a_type_alias_has_no_member() {
    let a = run("export type Id = string;", "export type Id = number;");
    let p = only(&a, DriftKind::ChangedType);
    assert!(p.member.is_none());
}

#[test]
fn changed_optionality_and_readonly() {
    let spec = "export interface A { readonly a: string; b?: number; readonly c: string }";
    let imp = "export interface A { a: string; b: number; c?: string }";
    let a = run(spec, imp);
    let mut k = kinds(&a);
    k.sort();
    assert_eq!(
        k,
        vec![
            DriftKind::ChangedOptionality,
            DriftKind::ChangedOptionality,
            DriftKind::ChangedReadonly,
            DriftKind::ChangedReadonly
        ]
    );
    assert!(a
        .points
        .iter()
        .all(|p| p.category == Category::ManageableDrift));
    let (fixed, again) = fix_all(spec, imp);
    assert!(again.points.is_empty(), "{:#?}\n{fixed}", again.points);
}

#[test]
fn changed_signature_ignores_names_but_not_types() {
    let spec = "export interface Agg { place(command: Cmd): Evt }";
    let a = run(spec, "export interface Agg { place(command: Cmd): void }");
    let p = only(&a, DriftKind::ChangedSignature);
    assert_eq!(
        (p.expected.as_deref(), p.actual.as_deref()),
        (Some("(Cmd) => Evt"), Some("(Cmd) => void"))
    );
    let a = run(spec, "export interface Agg { place(command?: Cmd): Evt }");
    only(&a, DriftKind::ChangedSignature);
    let (fixed, again) = fix_all(
        spec,
        "export class Agg {\n  place(c: Cmd): void {\n    return;\n  }\n}",
    );
    assert!(fixed.contains("place(command: Cmd): Evt {"), "{fixed}");
    assert!(again.points.is_empty());
}

#[test]
fn changed_kind_but_not_for_interface_versus_object_alias() {
    let a = run(
        "export type Status = 'a' | 'b';",
        "export enum Status { A = 'a', B = 'b' }",
    );
    let p = only(&a, DriftKind::ChangedKind);
    assert_eq!(p.category, Category::Breaking);
    let (fixed, again) = fix_all(
        "export type Status = 'a' | 'b';",
        "export enum Status { A = 'a', B = 'b' }",
    );
    assert_eq!(fixed, "export type Status = 'a' | 'b';");
    assert!(again.points.is_empty());
}

#[test]
fn changed_generics_covers_parameters_constraints_defaults_and_heritage() {
    for (spec, imp) in [
        (
            "export interface P<T> { t: T }",
            "export interface P { t: T }",
        ),
        (
            "export interface P<T extends object> { t: T }",
            "export interface P<T> { t: T }",
        ),
        (
            "export interface P<T = string> { t: T }",
            "export interface P<T> { t: T }",
        ),
        (
            "export interface P extends Base { t: string }",
            "export interface P { t: string }",
        ),
    ] {
        let a = run(spec, imp);
        let p = only(&a, DriftKind::ChangedGenerics);
        assert_eq!(p.category, Category::ManageableDrift);
        let (fixed, again) = fix_all(spec, imp);
        assert!(
            again.points.is_empty(),
            "{spec} / {imp} → {fixed}: {:#?}",
            again.points
        );
    }
    // A class implementing what the spec interface extends agrees.
    assert_no_drift(
        "export interface P extends Base { t: string }",
        "export class P implements Base { t!: string }",
    );
}

// ---- ids, positions, robustness ----

#[test]
fn ids_are_stable_across_runs_and_distinct() {
    let spec = "export interface A { a: number; b: string }";
    let imp = "export interface A { a: string }";
    let one: Vec<String> = run(spec, imp).points.iter().map(|p| p.id.clone()).collect();
    let two: Vec<String> = run(spec, &format!("// moved down\n\n{imp}"))
        .points
        .iter()
        .map(|p| p.id.clone())
        .collect();
    assert_eq!(one, two, "ids do not depend on positions");
    assert_eq!(one.len(), 2);
    assert_ne!(one[0], one[1]);
}

#[test]
fn positions_count_characters_on_multibyte_lines() {
    let imp = "export interface Invoice { /* € ü 😀 */ total: string }";
    let a = run("export interface Invoice { total: number }", imp);
    let r = report::json_report(&a, "/r", "generated", "src/domain");
    let p = &r.drift_points[0];
    let loc = p.implementation.as_ref().unwrap();
    let expected_col = imp[..imp.find("string").unwrap()].chars().count() as u32 + 1;
    assert_eq!((loc.line, loc.column), (1, expected_col));
}

#[test]
fn crlf_files_get_right_lines_and_keep_crlf_in_fixes() {
    let imp = "export interface A {\r\n  a: string;\r\n}\r\n";
    let spec = "export interface A {\n  a: string;\n  b?: number;\n  c: string;\n}\n";
    let a = run(
        spec,
        "export interface A {\r\n  a: string;\r\n  c: number;\r\n}\r\n",
    );
    let r = report::json_report(&a, "/r", "generated", "src/domain");
    let changed = r
        .drift_points
        .iter()
        .find(|p| p.kind == DriftKind::ChangedType)
        .unwrap();
    assert_eq!(
        changed.implementation.as_ref().map(|l| (l.line, l.column)),
        Some((3, 6))
    );
    let (fixed, again) = fix_all(spec, imp);
    assert!(
        !fixed.replace("\r\n", "").contains('\n'),
        "only CRLF line ends: {fixed:?}"
    );
    assert!(again.points.is_empty());
}

#[test]
fn syntax_errors_still_yield_what_parses() {
    let a = run(
        "export interface A { a: string }\nexport interface B { b: number }",
        "export interface A { a: string }\nexport interface B { b: number; c: }\n",
    );
    let f = a.file(IMPL).unwrap();
    assert!(!f.syntax_errors.is_empty());
    assert!(
        f.declarations.contains_key("A"),
        "the healthy declaration is still there"
    );
}

#[test]
fn every_fix_of_every_kind_leaves_parseable_text() {
    let spec = include_str!("../fixtures/drifted/generated/billing/invoice.types.ts");
    let imp = include_str!("../fixtures/drifted/src/domain/billing/invoice.types.ts");
    let a = run(spec, imp);
    for p in &a.points {
        for fix in &p.fixes {
            let edits: Vec<&TextEdit> = fix.edits.iter().filter(|e| e.path == IMPL).collect();
            let fixed = apply_edits(IMPL, imp, &edits).unwrap();
            let again = run(spec, &fixed);
            assert!(
                again.file(IMPL).unwrap().syntax_errors.is_empty(),
                "{} broke the file:\n{fixed}",
                fix.title
            );
            assert!(
                !again.points.iter().any(|q| q.id == p.id),
                "{} did not remove {}",
                fix.title,
                p.id
            );
        }
    }
}

#[test]
fn added_members_follow_the_body_layout() {
    let spec = "export enum E { A = 'a', B = 'b' }\nexport interface I { a: string; b: number }\nexport interface K { x: string; y?: number }\nexport interface J {\n  a: string;\n  b: number;\n}\n";
    let imp = "export enum E { A = 'a' }\nexport interface I { a: string }\nexport interface K { }\nexport interface J {\n    a: string\n}\n";
    let (fixed, again) = fix_all(spec, imp);
    assert_eq!(
        fixed,
        "export enum E { A = 'a', B = 'b' }\nexport interface I { a: string; b: number }\nexport interface K {\n    x: string;\n    y?: number;\n}\nexport interface J {\n    a: string\n    b: number;\n}\n",
        "the file's own indent unit (4 spaces, from J) is used for K's new lines"
    );
    assert!(again.points.is_empty());
}

#[test]
fn a_method_added_to_a_class_gets_a_body() {
    let spec = "export interface Agg {\n  place(c: Cmd): Evt;\n}\n";
    let imp = "export class Agg {\n  other(): void {}\n}\n";
    let a = run(spec, imp);
    let add = a
        .points
        .iter()
        .find(|p| p.kind == DriftKind::MissingMember)
        .unwrap();
    let edits: Vec<&TextEdit> = add.fixes[0].edits.iter().collect();
    let fixed = apply_edits(IMPL, imp, &edits).unwrap();
    assert!(fixed.contains("  place(c: Cmd): Evt {\n    throw new Error(\"place is not implemented yet\");\n  }\n}"), "{fixed}");
}

mod robustness {
    use super::*;
    use proptest::prelude::*;

    const SPEC_TEXT: &str = include_str!("../fixtures/drifted/generated/billing/invoice.types.ts");
    const IMPL_TEXT: &str = include_str!("../fixtures/drifted/src/domain/billing/invoice.types.ts");

    fn cut(text: &str, a: usize, b: usize) -> String {
        let chars: Vec<char> = text.chars().collect();
        let (a, b) = (a % (chars.len() + 1), b % (chars.len() + 1));
        let (a, b) = (a.min(b), a.max(b));
        chars[..a].iter().chain(chars[b..].iter()).collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        /// Any mangled implementation (and spec) is analysed without panicking, and every fix
        /// offered applies to the text it was computed from.
        #[test]
        fn mangled_files_never_panic_and_fixes_always_apply(a in 0usize..4000, b in 0usize..4000, c in 0usize..4000, d in 0usize..4000, crlf in any::<bool>()) {
            let mut imp = cut(IMPL_TEXT, a, b);
            if crlf {
                imp = imp.replace('\n', "\r\n");
            }
            let spec = cut(SPEC_TEXT, c, d);
            let analysis = run(&spec, &imp);
            for p in &analysis.points {
                for fix in &p.fixes {
                    let edits: Vec<&TextEdit> = fix.edits.iter().filter(|e| e.path == IMPL).collect();
                    prop_assert!(apply_edits(IMPL, &imp, &edits).is_ok(), "{} on {:?}", fix.title, imp);
                }
            }
            let _ = report::json_report(&analysis, "/r", "generated", "src/domain");
        }
    }
}

#[test]
fn tsx_files_parse_with_the_tsx_grammar() {
    let a = analyze_texts(
        &[file("generated/ui/button.tsx", "export interface ButtonProps { label: string; onPress(): void }")],
        &[file(
            "src/domain/ui/button.tsx",
            "export interface ButtonProps { label: number; onPress(): void }\nexport const Button = (p: ButtonProps) => <button>{p.label}</button>;\n",
        )],
    );
    assert!(a
        .file("src/domain/ui/button.tsx")
        .unwrap()
        .syntax_errors
        .is_empty());
    assert_eq!(kinds(&a), vec![DriftKind::ChangedType]);
}

// ---- issue 10: exact on TypeScript ----

#[test]
fn readonly_first_in_a_union_applies_to_its_operand_only() {
    assert_no_drift(
        "export interface A { v: readonly string[] | null; w: readonly [number] & B | C }",
        "export interface A { v: null | readonly string[]; w: C | B & readonly [number] }",
    );
    // Inside a longer union, and as a type alias's union members.
    assert_no_drift(
        "export interface A { v: 0.5[] | readonly 42[] | 42 | (false | '') }",
        "export interface A { v: '' | readonly 42[] | false | 42 | 0.5[] }",
    );
    assert_no_drift(
        "export type U = 'a' | readonly string[] | 'b'",
        "export type U = 'b' | 'a' | ReadonlyArray<string>",
    );
    let a = run(
        "export interface A { v: readonly string[] | null }",
        "export interface A { v: readonly (string[] | null) }",
    );
    assert_eq!(kinds(&a), vec![DriftKind::ChangedType]);
}

#[test]
fn files_without_semicolons_parse_like_typescript() {
    let no_semi = "export interface A {\n  a: string\n  (x: number): void\n  in: number\n  <T>(x: T): T\n  b: 'x' // note\n  new (y: string): A\n}\n";
    let semi = "export interface A { a: string; (x: number): void; in: number; <T>(x: T): T; b: 'x'; new (y: string): A }";
    assert_no_drift(semi, no_semi);
    assert_no_drift(no_semi, semi);
    let a = run(semi, no_semi);
    assert!(a.file(IMPL).unwrap().syntax_errors.is_empty());
    let changed = no_semi.replace("in: number", "in: string");
    assert_eq!(kinds(&run(semi, &changed)), vec![DriftKind::ChangedType]);
}

#[test]
fn overloads_in_a_later_declaration_of_a_merged_interface_count() {
    let spec = "export interface M { a: string }\nexport interface M { f(x: string): void }\nexport interface M { f(x: number): void }";
    assert_no_drift(
        spec,
        "export interface M { a: string; f(x: string): void; f(x: number): void }",
    );
    assert_eq!(
        kinds(&run(
            spec,
            "export interface M { a: string; f(x: string): void }"
        )),
        vec![DriftKind::ChangedSignature]
    );
}

#[test]
fn parenthesised_tuples_named_rest_and_variance_parse() {
    assert_no_drift(
        "export type B = ([string?]) | number",
        "export type B = number | [string?]",
    );
    assert_no_drift(
        "export type T = [a: string, ...rest: number[]]",
        "export type T = [string, ...number[]]",
    );
    assert_eq!(
        kinds(&run(
            "export type T = [a: string, ...rest: number[]]",
            "export type T = [string, number[]]"
        )),
        vec![DriftKind::ChangedType]
    );
    assert_no_drift("export type E<in out T> = T", "export type E<in out T> = T");
    let a = run("export type E<in out T> = T", "export type E<out T> = T");
    assert_eq!(
        only(&a, DriftKind::ChangedGenerics).expected.as_deref(),
        Some("<in out T>")
    );
}

#[test]
fn interface_accessors_are_properties() {
    assert_no_drift(
        "export interface A { get x(): string }",
        "export interface A { readonly x: string }",
    );
    assert_no_drift(
        "export interface A { get x(): string; set x(v: string) }",
        "export interface A { x: string }",
    );
    assert_eq!(
        kinds(&run(
            "export interface A { get x(): string }",
            "export interface A { x: string }"
        )),
        vec![DriftKind::ChangedReadonly]
    );
}

#[test]
fn template_literal_text_is_exact() {
    let a = run(
        "export type F = `${number}`",
        "export type F = `${number} `",
    );
    assert_eq!(kinds(&a), vec![DriftKind::ChangedType]);
    assert_no_drift(
        "export type F = `id-${ string | number }`",
        "export type F = `id-${number | string}`",
    );
}

#[test]
fn mapped_type_keys_as_clause_and_modifiers_count() {
    let base = "export type G<T> = { [K in keyof T]: T[K] }";
    for changed in [
        "export type G<T> = { [K in keyof T]?: T[K] }",
        "export type G<T> = { [K in keyof T]-?: T[K] }",
        "export type G<T> = { readonly [K in keyof T]: T[K] }",
        "export type G<T> = { -readonly [K in keyof T]: T[K] }",
        "export type G<T> = { [K in keyof T as `get${string & K}`]: T[K] }",
        "export type G<T> = { [K in 'a' | 'b']: T[K] }",
        "export type G<T> = { [K in keyof T]: string }",
    ] {
        assert!(!run(base, changed).points.is_empty(), "missed: {changed}");
    }
    assert_no_drift(
        "export type G<T> = { +readonly [K in keyof T]+?: T[K] }",
        "export type G<T> = { readonly [K in keyof T]?: T[K] }",
    );
}

#[test]
fn constructor_types_keep_their_result_and_this_parameters_count() {
    assert_eq!(
        kinds(&run(
            "export type H = new () => B",
            "export type H = new () => C"
        )),
        vec![DriftKind::ChangedType]
    );
    assert_eq!(
        kinds(&run(
            "export type I = (this: Window, a: string) => void",
            "export type I = (a: string) => void"
        )),
        vec![DriftKind::ChangedType]
    );
}

#[test]
fn string_escapes_and_numbers_normalise_by_value() {
    let a = run(
        "export type J = \"\\n\"\nexport interface K { \"a\\n\": string }\nexport enum E { A = \"\\n\" }",
        "export type J = '\\\\n'\nexport interface K { 'a\\\\n': string }\nexport enum E { A = '\\\\n' }",
    );
    // J and E changed, K's key differs (missing + extra member).
    assert_eq!(a.points.len(), 4, "{:#?}", a.points);
    assert_no_drift(
        "export type J = \"\\u0061\" | 1e3 | .5 | -0x10 | '\\x62'",
        "export type J = 'a' | 1000 | 0.5 | -16 | \"b\"",
    );
}

#[test]
fn a_method_equals_a_function_typed_property() {
    assert_no_drift(
        "export interface A { m(x: string): void }",
        "export interface A { m: (y: string) => void }",
    );
    let a = run(
        "export interface A { n(): number }",
        "export interface A { n: () => string }",
    );
    let p = only(&a, DriftKind::ChangedType);
    assert_ne!(p.expected, p.actual);
}

#[test]
fn a_function_type_extends_over_a_union_or_intersection_after_a_parenthesis() {
    // tree-sitter reads `() => (A) | B` as `(() => (A)) | B`; TypeScript as `() => ((A) | B)`.
    assert_no_drift(
        "export type F = new () => (() => 16) | '' | undefined",
        "export type F = new () => ('') | undefined | (() => 16)",
    );
    assert_no_drift(
        "export interface A { f: () => ({ a: 1 }) & { b: 2 } }",
        "export interface A { f: () => { b: 2 } & ({ a: 1 }) }",
    );
    assert!(!run(
        "export type F = () => (A) | B",
        "export type F = (() => A) | B"
    )
    .points
    .is_empty());
}

#[test]
fn labelled_optional_tuple_elements_and_template_escapes() {
    assert_no_drift(
        "export type T = [e0: number, e1?: 'a' | symbol]",
        "export type T = [number, ('a' | symbol)?]",
    );
    assert_no_drift(
        "export type T = `id-${number}\\n`",
        "export type T = `id-${ number }\\u000a`",
    );
    assert_eq!(
        kinds(&run("export type T = `a\\n`", "export type T = `a\\\\n`")),
        vec![DriftKind::ChangedType]
    );
}

#[test]
fn import_types_with_type_arguments_parse_and_compare() {
    // `@types/node`'s stream/web.d.ts writes these; the grammar lacks type arguments there.
    let spec = "export interface S {\n  q: import(\"stream/web\").QueuingStrategy<string>;\n  r: import('m').a.B<number>\n}\n";
    let a = run(
        spec,
        "export interface S {\n  q: import('stream/web').QueuingStrategy<string>\n  r: import(\"m\").a.B<number>;\n}\n",
    );
    assert!(a.points.is_empty(), "{:#?}", a.points);
    assert!(a.files.values().all(|f| f.syntax_errors.is_empty()));
    let a = run(
        spec,
        "export interface S {\n  q: import(\"stream/web\").QueuingStrategy<number>;\n  r: import('n').a.B<number>\n}\n",
    );
    let members: Vec<Option<&str>> = a.points.iter().map(|p| p.member.as_deref()).collect();
    assert_eq!(members, [Some("q"), Some("r")], "{:#?}", a.points);
}

#[test]
fn class_properties_named_get_or_set_can_be_optional() {
    let spec = "export interface K {\n  get?: string;\n  set?: number;\n  x: boolean;\n}\n";
    for imp in [
        "export class K {\n  get?: string;\n  set?: number;\n  x!: boolean;\n}\n",
        "export class K {\n  get?: string\n  set?: number\n  x!: boolean\n}\n",
        "export declare class K {\n  get?: string\n  set?: number\n  x: boolean\n}\n",
    ] {
        let a = run(spec, imp);
        assert!(a.points.is_empty(), "{imp}: {:#?}", a.points);
        assert!(
            a.files.values().all(|f| f.syntax_errors.is_empty()),
            "{imp}: {:?}",
            a.files
                .values()
                .map(|f| &f.syntax_errors)
                .collect::<Vec<_>>()
        );
    }
}

#[test]
fn needed_parentheses_around_a_generic_of_a_generic_function_compare() {
    // `(A<<T>…` : tree-sitter lexes `<<` after `(` as a shift; the parentheses group a union.
    let spec = "export type T = (A<<T>(x: T) => T> | B)[];\nexport interface I {\n  f: (Array<<U>() => U> | null)[]\n}\n";
    let a = run(
        spec,
        "export type T = (B | A< <T>(y: T) => T>)[];\nexport interface I {\n  f: Array<null | Array<<U>() => U>>\n}\n",
    );
    assert!(a.points.is_empty(), "{:#?}", a.points);
    assert!(
        a.files.values().all(|f| f.syntax_errors.is_empty()),
        "{:?}",
        a.files
            .values()
            .map(|f| &f.syntax_errors)
            .collect::<Vec<_>>()
    );
    let a = run(
        spec,
        "export type T = (A<<T>(x: T) => T[]> | B)[];\nexport interface I {\n  f: (Array<<U>() => U> | undefined)[]\n}\n",
    );
    let members: Vec<Option<&str>> = a.points.iter().map(|p| p.member.as_deref()).collect();
    assert_eq!(members, [None, Some("f")], "{:#?}", a.points);
    assert!(a.points.iter().all(|p| p.kind == DriftKind::ChangedType));
}
