//! "Fixes that compile" (issue 10): `fix --max-category 3` on `fixtures/compiles-after-fix`
//! carries the follow-up edits that keep the implementation type-checking — imports added and
//! dropped, renamed types and members renamed where the implementation uses them, union members
//! removed without a dangling line. `tests/differential/compiles.mjs` (suite 70) runs `tsc` on
//! the same fixture before and after (its `tsconfig.json` includes the consumer `src/app/`).

use std::path::{Path, PathBuf};

use assert_cmd::Command;

fn bin() -> Command {
    let mut cmd = Command::cargo_bin("moment-sync").expect("binary builds");
    cmd.env("NO_COLOR", "1");
    cmd
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// The fixture with a recorded sync at the point where the spec equalled the implementation,
/// then the spec's change (`generated/`): every point is spec-ahead, removals included.
fn spec_moved_on() -> tempfile::TempDir {
    let fixture: PathBuf =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/compiles-after-fix");
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    copy_dir(&fixture, root);
    std::fs::rename(root.join("generated"), root.join("generated.new")).unwrap();
    copy_dir(&root.join("src/domain"), &root.join("generated"));
    bin().arg("reconcile").arg(root).assert().success();
    std::fs::remove_dir_all(root.join("generated")).unwrap();
    std::fs::rename(root.join("generated.new"), root.join("generated")).unwrap();
    dir
}

/// A build output copy of the consumer, in a `.gitignore`d folder.
fn with_ignored_dist(root: &Path) -> String {
    let consumer = read(root, "src/app/checkout.ts");
    std::fs::create_dir_all(root.join("dist/app")).unwrap();
    std::fs::write(root.join("dist/app/checkout.ts"), &consumer).unwrap();
    consumer
}

fn read(root: &Path, rel: &str) -> String {
    std::fs::read_to_string(root.join(rel)).unwrap()
}

#[test]
fn the_dry_run_shows_the_follow_up_edits_in_every_file_and_writes_nothing() {
    let dir = spec_moved_on();
    let root = dir.path();
    let before = read(root, "src/domain/sales/checkout.ts");
    with_ignored_dist(root);
    let out = bin()
        .args(["fix", "--max-category", "3", "--dry-run"])
        .arg(root)
        .output()
        .unwrap();
    assert!(out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    // The rename of `Client` reaches the files that import it, through the barrel too.
    for header in [
        "+++ b/src/domain/sales/checkout.ts",
        "+++ b/src/domain/sales/index.ts",
        "+++ b/src/domain/sales/order.aggregate.ts",
        "+++ b/src/app/checkout.ts",
    ] {
        assert!(stdout.contains(header), "{header} in\n{stdout}");
    }
    assert!(stdout.contains("+import type { Customer, Order } from './index.js';"));
    assert!(stdout.contains("+import type { Money, Timestamp } from './common.types.js';"));
    assert!(stdout
        .contains("+import type { Customer as Buyer } from '../domain/sales/customer.types.js';"));
    assert!(!stdout.contains("dist/"), "{stdout}");
    assert_eq!(read(root, "src/domain/sales/checkout.ts"), before);
    assert!(!root.join("src/domain/sales/refund.types.ts").exists());
}

#[test]
fn after_fix_max_category_3_the_imports_and_uses_follow_the_spec() {
    let dir = spec_moved_on();
    let root = dir.path();
    bin()
        .args(["fix", "--max-category", "3"])
        .arg(root)
        .assert()
        .success();
    let order = read(root, "src/domain/sales/order.types.ts");
    // Added members import their types (merged into the existing imports, `.js` kept); the
    // removed member's type and the renamed type's old name are gone.
    assert!(
        order.starts_with(
            "import type { Money, Currency, Timestamp } from './common.types.js';\n\
             import type { Customer, Address } from './customer.types.js';\n"
        ),
        "{order}"
    );
    assert!(!order.contains("LegacyCode"), "{order}");
    // The last union member goes with its line: no `| 'paid'\n  ;`.
    assert!(order.contains("  | 'open'\n  | 'paid';\n"), "{order}");

    let checkout = read(root, "src/domain/sales/checkout.ts");
    assert!(checkout.contains("export function greet(customer: Customer): string {"));
    // A local named like the type, strings and property names of other types stay.
    assert!(checkout.contains("const Client = customer.name;\n  return `Hello ${Client}`;"));
    assert!(
        checkout.contains("return order.totalAmount.amount;"),
        "{checkout}"
    );
    assert!(checkout.contains("const label = 'amount';"));

    let aggregate = read(root, "src/domain/sales/order.aggregate.ts");
    assert!(aggregate.contains("import type { Order, CancelReason } from './order.types.js';"));
    assert!(aggregate.contains("import type { Customer } from './customer.types.js';"));
    assert!(aggregate.contains("      totalAmount: { amount: 0, currency: Currency.EUR },"));

    let index = read(root, "src/domain/sales/index.ts");
    assert_eq!(
        index,
        "export * from './order.types.js';\nexport type { Address, Customer } from './customer.types.js';\n"
    );
    // Three types into one new file: `Money`, which two of them use, imported once (each alone
    // would write its own statement: `{ Money }`, `{ Money, Timestamp }`); one blank line
    // between the declarations.
    let refund = read(root, "src/domain/sales/refund.types.ts");
    assert_eq!(
        refund,
        "import type { Money, Timestamp } from './common.types.js';\n\n\
         export interface Refund {\n  readonly orderId: string;\n  readonly amount: Money;\n  readonly reason: RefundReason;\n}\n\n\
         export type RefundReason = 'damaged' | 'late';\n\n\
         export interface RefundLine {\n  readonly sku: string;\n  readonly amount: Money;\n  readonly at: Timestamp;\n}\n"
    );

    let out = bin().arg("check").arg(root).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("no drift"), "{stdout}");
}

#[test]
fn a_rename_reaches_the_consumers_outside_the_side_but_not_ignored_build_output() {
    let dir = spec_moved_on();
    let root = dir.path();
    let dist = with_ignored_dist(root);
    let out = bin()
        .args(["fix", "--max-category", "3"])
        .arg(root)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("src/app/checkout.ts"), "{stdout}");
    // The renamed type through the barrel and its renamed member; the aliased import changes
    // only the imported name, its local `Buyer` stays.
    assert_eq!(
        read(root, "src/app/checkout.ts"),
        "// A consumer outside the implementation side: it imports the domain types through the barrel\n\
         // and, aliased, from their file.\n\
         import type { Customer, Order } from '../domain/sales/index.js';\n\
         import type { Customer as Buyer } from '../domain/sales/customer.types.js';\n\
         \n\
         export function receipt(client: Customer, order: Order): string {\n\
         \x20 return `${client.name}: ${order.totalAmount.amount}`;\n\
         }\n\
         \n\
         export function contact(buyer: Buyer): string {\n\
         \x20 return buyer.email;\n\
         }\n"
    );
    assert_eq!(read(root, "dist/app/checkout.ts"), dist);
}

#[test]
fn fixes_left_out_for_an_overlap_name_both_points_the_place_and_what_to_do() {
    let dir = spec_moved_on();
    let root = dir.path();
    let out = bin()
        .args(["fix", "--max-category", "3", "--dry-run"])
        .arg(root)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    // The rename of `Client` edits the text the changed signature and the changed type would
    // edit too: each left-out fix names itself, the fix it collides with and where.
    assert!(
        stdout.contains("2 overlapping fixes left for the next run\n"),
        "{stdout}"
    );
    for line in [
        "  left out: e2caac0dcb0e569c OrderAggregate.place (changed-signature) edits the same text \
         as 906c47694caa42e9 Customer (renamed-type) at src/domain/sales/order.aggregate.ts:8\n",
        "  left out: 033ec285abf57a5e Order.customer (changed-type) edits the same text as \
         906c47694caa42e9 Customer (renamed-type) at src/domain/sales/order.types.ts:2\n",
        "  run `moment-sync fix` again",
        "`moment-sync decide accept <id>`",
    ] {
        assert!(stdout.contains(line), "{line} in\n{stdout}");
    }
}

#[test]
fn a_rename_reaches_the_consumers_importing_through_tsconfig_paths() {
    let dir = spec_moved_on();
    let root = dir.path();
    // The fixture's tsconfig with an alias for the implementation side (no baseUrl: targets
    // are relative to the tsconfig's folder).
    let tsconfig = read(root, "tsconfig.json").replace(
        "\"compilerOptions\": {",
        "\"compilerOptions\": {\n    \"paths\": { \"@domain/*\": [\"./src/domain/*\"] },",
    );
    std::fs::write(root.join("tsconfig.json"), tsconfig).unwrap();
    std::fs::write(
        root.join("src/app/alias.ts"),
        "import type { Client } from '@domain/sales/customer.types.js';\n\
         export const nameOf = (c: Client): string => c.name;\n",
    )
    .unwrap();
    let out = bin()
        .args(["fix", "--max-category", "3"])
        .arg(root)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        read(root, "src/app/alias.ts"),
        "import type { Customer } from '@domain/sales/customer.types.js';\n\
         export const nameOf = (c: Customer): string => c.name;\n"
    );
}
