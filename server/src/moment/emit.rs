//! The TypeScript the upstream emitter writes for a spec (moment-language.md §2 and §5, newest
//! emitter version), with a source map from every emitted declaration and member back to the
//! `.moment` range it came from.

use super::ast::{Aggregate, Field, Record};
use super::project::{MergedContext, SourceRange, Spec};
use crate::model::Span;

/// One emitted file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmittedFile {
    /// Relative to the emitter's output folder: `src/<ctx>/<agg>.types.ts`.
    pub path: String,
    pub text: String,
    /// Emitted range → the `.moment` range it projects, outermost first.
    pub map: Vec<(Span, SourceRange)>,
}

impl EmittedFile {
    /// The path below `src/`: what spec files pair with implementation files by.
    pub fn side_path(&self) -> &str {
        self.path.strip_prefix("src/").unwrap_or(&self.path)
    }

    /// The `.moment` range of the innermost emitted range that contains `offset`.
    pub fn origin(&self, offset: usize) -> Option<SourceRange> {
        self.map
            .iter()
            .filter(|(ts, _)| ts.start <= offset && offset <= ts.end)
            .min_by_key(|(ts, _)| ts.len())
            .map(|(_, src)| *src)
    }
}

/// Emits every file, in the emitter's order: per context, per aggregate `types` then
/// `aggregate`, then the context's `index`; the root barrel last.
pub fn emit(spec: &Spec) -> Vec<EmittedFile> {
    let mut files = Vec::new();
    let mut emitted_contexts = Vec::new();
    for ctx in &spec.contexts {
        if ctx.aggregates.is_empty() {
            continue;
        }
        let dir = context_dir(&ctx.name);
        for placed in &ctx.aggregates {
            let agg = &placed.aggregate;
            let stem = kebab(&agg.name.text);
            files.push(types_file(&dir, &stem, agg, placed.file));
            files.push(aggregate_file(&dir, &stem, agg, placed.file));
        }
        files.push(index_file(&dir, ctx));
        emitted_contexts.push(dir);
    }
    if !emitted_contexts.is_empty() {
        let mut text = String::new();
        for dir in &emitted_contexts {
            text.push_str(&format!("export * from './{dir}/index.js';\n"));
        }
        files.push(EmittedFile {
            path: "src/index.ts".to_string(),
            text,
            map: Vec::new(),
        });
    }
    files
}

/// Text plus the source map being built.
struct Writer {
    text: String,
    map: Vec<(Span, SourceRange)>,
    file: usize,
}

impl Writer {
    fn new(file: usize) -> Writer {
        Writer {
            text: String::new(),
            map: Vec::new(),
            file,
        }
    }

    fn line(&mut self, s: &str) {
        self.text.push_str(s);
        self.text.push('\n');
    }

    /// Writes `s` as one line and maps it (without the newline) to `origin`.
    fn mapped_line(&mut self, s: &str, origin: Span) {
        let start = self.text.len();
        self.text.push_str(s);
        self.map_from(start, origin);
        self.text.push('\n');
    }

    fn map_from(&mut self, start: usize, origin: Span) {
        self.map.push((
            Span::new(start, self.text.len()),
            SourceRange {
                file: self.file,
                span: origin,
            },
        ));
    }

    fn finish(self, path: String) -> EmittedFile {
        EmittedFile {
            path,
            text: self.text,
            map: self.map,
        }
    }
}

fn types_file(dir: &str, stem: &str, agg: &Aggregate, file: usize) -> EmittedFile {
    let mut w = Writer::new(file);
    w.line("/**");
    w.line(&format!(" * Types for the {} aggregate.", agg.name.text));
    w.line(" */");
    for vo in &agg.value_objects {
        w.line("");
        record_interface(&mut w, vo, &vo.fields);
    }
    for cmd in &agg.commands {
        w.line("");
        let record = Record {
            name: cmd.name.clone(),
            fields: Vec::new(),
            span: cmd.span,
        };
        record_interface(&mut w, &record, &cmd.inputs);
    }
    for event in &agg.events {
        w.line("");
        record_interface(&mut w, event, &event.fields);
    }
    w.finish(format!("src/{dir}/{stem}.types.ts"))
}

/// `export interface X { readonly f: T; … }`, mapped to the record's name, each property to its
/// field.
fn record_interface(w: &mut Writer, record: &Record, fields: &[Field]) {
    let start = w.text.len();
    let name = pascal(&record.name.text);
    if fields.is_empty() {
        w.text.push_str(&format!("export interface {name} {{}}"));
    } else {
        w.line(&format!("export interface {name} {{"));
        for f in fields {
            property(w, f);
        }
        w.text.push('}');
    }
    w.map_from(start, record.name.span);
    w.text.push('\n');
}

fn property(w: &mut Writer, f: &Field) {
    let start = w.text.len();
    if let Some(d) = &f.deprecation {
        w.line("  /**");
        w.line(&format!("   * @deprecated {}", d.reason));
        w.line(&format!("   * Use {} instead.", d.replacement));
        w.line("   */");
    }
    w.text.push_str(&format!(
        "  readonly {}: {};",
        property_name(&f.name.text),
        ts_type(&f.ty.name.text, f.ty.is_array)
    ));
    w.map_from(start, f.name.span);
    w.text.push('\n');
}

fn aggregate_file(dir: &str, stem: &str, agg: &Aggregate, file: usize) -> EmittedFile {
    let mut w = Writer::new(file);
    let mut names: Vec<String> = agg
        .commands
        .iter()
        .map(|c| &c.name)
        .chain(agg.events.iter().map(|e| &e.name))
        .chain(agg.value_objects.iter().map(|v| &v.name))
        .map(|n| pascal(&n.text))
        .collect();
    names.sort();
    names.dedup();
    // Decision (the reference is silent): an aggregate with nothing to import gets no import
    // line rather than an empty `import type {  }`.
    if !names.is_empty() {
        w.line(&format!(
            "import type {{ {} }} from './{stem}.types.js';",
            names.join(", ")
        ));
        w.line("");
    }
    w.line("/**");
    w.line(&format!(" * Aggregate root for {}.", agg.name.text));
    w.line(" */");
    let start = w.text.len();
    w.line(&format!(
        "export interface {}Aggregate {{",
        pascal(&agg.name.text)
    ));
    if let Some(id) = &agg.identity {
        property(&mut w, id);
    }
    for cmd in &agg.commands {
        let Some(emits) = &cmd.emits else { continue };
        let event = pascal(&emits.text);
        let method_start = w.text.len();
        w.line("  /**");
        w.line(&format!("   * Handle {}.", cmd.name.text));
        for p in &cmd.preconditions {
            w.line(&format!("   * @precondition {}", p.description));
        }
        w.line(&format!("   * @emits {event}"));
        w.line("   */");
        w.text.push_str(&format!(
            "  {}(command: {}): {event};",
            handler_name(&cmd.name.text),
            pascal(&cmd.name.text)
        ));
        w.map_from(method_start, cmd.name.span);
        w.text.push('\n');
    }
    w.text.push('}');
    w.map_from(start, agg.name.span);
    w.text.push('\n');
    w.finish(format!("src/{dir}/{stem}.aggregate.ts"))
}

fn index_file(dir: &str, ctx: &MergedContext) -> EmittedFile {
    let mut w = Writer::new(ctx.declared.file);
    for placed in &ctx.aggregates {
        let stem = kebab(&placed.aggregate.name.text);
        w.line(&format!("export * from './{stem}.types.js';"));
        w.line(&format!("export * from './{stem}.aggregate.js';"));
    }
    let mut union: Vec<String> = Vec::new();
    let mut imports = Vec::new();
    for placed in &ctx.aggregates {
        let agg = &placed.aggregate;
        if agg.events.is_empty() {
            continue;
        }
        let names: Vec<String> = agg.events.iter().map(|e| pascal(&e.name.text)).collect();
        union.extend(names.iter().cloned());
        imports.push(format!(
            "import type {{ {} }} from './{}.types.js';",
            names.join(", "),
            kebab(&agg.name.text)
        ));
    }
    // Decision: a context without events gets no union (an empty union would be `never`).
    if !union.is_empty() {
        union.sort();
        union.dedup();
        w.line("");
        for import in &imports {
            w.line(import);
        }
        w.mapped_line(
            &format!(
                "export type {}Event = {};",
                pascal(&ctx.name),
                union.join(" | ")
            ),
            ctx.declared.span,
        );
    }
    w.finish(format!("src/{dir}/index.ts"))
}

// ---- naming (moment-language.md §2.1, §5.2) ------------------------------------------------

/// `-` between a lowercase letter or digit and a following capital, whitespace runs to `-`,
/// everything lower-cased: `DischargeRecord` → `discharge-record`.
pub fn kebab(name: &str) -> String {
    let mut out = String::new();
    let mut prev: Option<char> = None;
    let mut in_space = false;
    for c in name.chars() {
        if c.is_whitespace() {
            if !in_space {
                out.push('-');
            }
            in_space = true;
            prev = Some(c);
            continue;
        }
        in_space = false;
        if c.is_uppercase() && prev.is_some_and(|p| p.is_lowercase() || p.is_ascii_digit()) {
            out.push('-');
        }
        out.extend(c.to_lowercase());
        prev = Some(c);
    }
    out
}

/// A context's folder: kebab case, then every character outside `[a-z0-9-]` replaced by `-`.
pub fn context_dir(name: &str) -> String {
    kebab(name)
        .chars()
        .map(|c| {
            if c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect::<String>()
        .to_lowercase()
}

/// Removes `-`, `_` and whitespace, upper-casing the character after them and the first one,
/// then drops anything outside `[A-Za-z0-9_$]`: `line-item` → `LineItem`.
pub fn pascal(name: &str) -> String {
    let mut out = String::new();
    let mut upper_next = true;
    for c in name.chars() {
        if c == '-' || c == '_' || c.is_whitespace() {
            upper_next = true;
            continue;
        }
        if upper_next {
            out.extend(c.to_uppercase());
        } else {
            out.push(c);
        }
        upper_next = false;
    }
    out.retain(is_ident_char);
    out
}

fn is_ident_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '$'
}

/// The command's handler: first character lower-cased, non-identifier characters removed.
pub fn handler_name(command: &str) -> String {
    let mut chars = command.chars();
    let mut out: String = match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    };
    out.retain(is_ident_char);
    out
}

/// A property key: unchanged when it is an identifier, else single-quoted (`'line-no'`).
fn property_name(name: &str) -> String {
    let valid = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == '$')
        && name.chars().all(is_ident_char);
    if valid {
        name.to_string()
    } else {
        format!("'{name}'")
    }
}

/// The emitter's type table (§5.1), looked up lower-cased; anything else is PascalCased.
pub fn ts_type(name: &str, is_array: bool) -> String {
    let base = match name.to_lowercase().as_str() {
        "string" | "uuid" => "string".to_string(),
        "number" | "int" | "float" | "decimal" => "number".to_string(),
        "boolean" => "boolean".to_string(),
        "date" => "Date".to_string(),
        "datetime" => "DateTime".to_string(),
        "money" => "Money".to_string(),
        _ => pascal(name),
    };
    if is_array {
        format!("readonly {base}[]")
    } else {
        base
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn naming_rules_of_the_reference() {
        assert_eq!(context_dir("Reception"), "reception");
        assert_eq!(context_dir("ECommerce"), "ecommerce");
        assert_eq!(context_dir("OrderManagement"), "order-management");
        assert_eq!(context_dir("Order Management"), "order-management");
        assert_eq!(context_dir("Billing & Payments"), "billing---payments");
        assert_eq!(kebab("DischargeRecord"), "discharge-record");
        assert_eq!(pascal("line-item"), "LineItem");
        assert_eq!(pascal("order_item"), "OrderItem");
        assert_eq!(pascal("REC-01"), "REC01");
        assert_eq!(handler_name("GenerateInvoice"), "generateInvoice");
        assert_eq!(handler_name("Re-Open"), "reOpen");
        assert_eq!(ts_type("UUID", false), "string");
        assert_eq!(ts_type("uuid", true), "readonly string[]");
        assert_eq!(ts_type("decimal", false), "number");
        assert_eq!(ts_type("DateTime", false), "DateTime");
        assert_eq!(ts_type("line-item", true), "readonly LineItem[]");
        assert_eq!(property_name("line-no"), "'line-no'");
        assert_eq!(property_name("total"), "total");
    }
}
