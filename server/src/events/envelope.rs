//! The event envelope (strict) and the typed payloads of the known upstream event types
//! (lenient: every payload keeps the fields it does not know).

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The envelope every upstream event line carries. All nine fields are required; their types are
/// checked. Extra top-level keys are tolerated and ignored (newer producers may add some).
#[derive(Debug, Clone, PartialEq)]
pub struct Envelope {
    pub event_id: String,
    pub event_type: String,
    /// Schema version of the payload (a non-negative integer).
    pub version: u64,
    pub product_source: String,
    pub session_id: String,
    pub causation_event_ids: Vec<String>,
    /// `null` is allowed: an event that starts a flow has no correlation yet.
    pub correlation_id: Option<String>,
    pub timestamp: Timestamp,
    /// The timestamp exactly as written (keeps the producer's offset for display).
    pub timestamp_text: String,
    /// Always a JSON object.
    pub payload: Map<String, Value>,
}

impl Envelope {
    /// Checks one parsed line. The error says which field is missing or has the wrong type.
    pub fn from_value(value: Value) -> Result<Envelope, String> {
        let mut object = match value {
            Value::Object(map) => map,
            other => {
                return Err(format!(
                    "expected a JSON object, found {}",
                    json_type(&other)
                ))
            }
        };
        let timestamp_text = take_string(&mut object, "timestamp")?;
        let timestamp =
            parse_instant(&timestamp_text).map_err(|e| format!("field `timestamp`: {e}"))?;
        Ok(Envelope {
            event_id: take_non_empty(&mut object, "eventId")?,
            event_type: take_non_empty(&mut object, "eventType")?,
            version: take_version(&mut object)?,
            product_source: take_string(&mut object, "productSource")?,
            session_id: take_string(&mut object, "sessionId")?,
            causation_event_ids: take_string_array(&mut object, "causationEventIds")?,
            correlation_id: take_nullable_string(&mut object, "correlationId")?,
            timestamp,
            timestamp_text,
            payload: match take(&mut object, "payload")? {
                Value::Object(map) => map,
                other => return Err(wrong_type("payload", "an object", &other)),
            },
        })
    }
}

/// Parses an instant written in ISO-8601 with any offset (`Z`, `+02:00`, `-0530`, …). A value
/// without an offset is refused: it names no instant.
pub fn parse_instant(text: &str) -> Result<Timestamp, String> {
    text.trim()
        .parse::<Timestamp>()
        .map_err(|e| format!("`{text}` is not an ISO-8601 instant with an offset ({e})"))
}

/// Like [`parse_instant`], but a bare date (`2024-05-01`) means midnight UTC: handy on the
/// command line (`--since 2024-05-01`).
pub fn parse_since(text: &str) -> Result<Timestamp, String> {
    if let Ok(ts) = parse_instant(text) {
        return Ok(ts);
    }
    let date: jiff::civil::Date = text.trim().parse().map_err(|_| {
        format!("`{text}` is neither an ISO-8601 instant with an offset nor a date")
    })?;
    date.to_zoned(jiff::tz::TimeZone::UTC)
        .map(|z| z.timestamp())
        .map_err(|e| format!("`{text}`: {e}"))
}

fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn wrong_type(field: &str, expected: &str, found: &Value) -> String {
    format!(
        "field `{field}` must be {expected}, found {}",
        json_type(found)
    )
}

fn take(object: &mut Map<String, Value>, field: &str) -> Result<Value, String> {
    object
        .remove(field)
        .ok_or_else(|| format!("missing field `{field}`"))
}

fn take_string(object: &mut Map<String, Value>, field: &str) -> Result<String, String> {
    match take(object, field)? {
        Value::String(s) => Ok(s),
        other => Err(wrong_type(field, "a string", &other)),
    }
}

fn take_non_empty(object: &mut Map<String, Value>, field: &str) -> Result<String, String> {
    let s = take_string(object, field)?;
    if s.trim().is_empty() {
        return Err(format!("field `{field}` must not be empty"));
    }
    Ok(s)
}

fn take_nullable_string(
    object: &mut Map<String, Value>,
    field: &str,
) -> Result<Option<String>, String> {
    match take(object, field)? {
        Value::Null => Ok(None),
        Value::String(s) => Ok(Some(s)),
        other => Err(wrong_type(field, "a string or null", &other)),
    }
}

fn take_string_array(object: &mut Map<String, Value>, field: &str) -> Result<Vec<String>, String> {
    match take(object, field)? {
        Value::Array(items) => items
            .into_iter()
            .map(|item| match item {
                Value::String(s) => Ok(s),
                other => Err(wrong_type(&format!("{field}[]"), "a string", &other)),
            })
            .collect(),
        other => Err(wrong_type(field, "an array of strings", &other)),
    }
}

fn take_version(object: &mut Map<String, Value>) -> Result<u64, String> {
    match take(object, "version")? {
        Value::Number(n) => n
            .as_u64()
            .ok_or_else(|| format!("field `version` must be a non-negative integer, found {n}")),
        other => Err(wrong_type("version", "a non-negative integer", &other)),
    }
}

/// `deprecated: { reason, replacement }` on a field.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Deprecation {
    #[serde(default)]
    pub reason: Option<String>,
    #[serde(default)]
    pub replacement: Option<String>,
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

/// One field of a command, event or value object. Producers write fields either as a list of
/// objects (`[{ "name": "total", "type": "number" }]`) or as a map (`{ "total": "number" }` or
/// `{ "total": { "type": "number" } }`); both are read.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FieldDef {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default, rename = "type")]
    pub type_: Option<String>,
    #[serde(default)]
    pub optional: Option<bool>,
    #[serde(default)]
    pub deprecated: Option<Deprecation>,
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

/// A field list in either of the shapes [`FieldDef`] describes.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
#[serde(transparent)]
pub struct Fields(pub Vec<FieldDef>);

impl<'de> Deserialize<'de> for Fields {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        match Value::deserialize(d)? {
            Value::Null => Ok(Fields::default()),
            Value::Array(items) => items
                .into_iter()
                .map(|item| serde_json::from_value::<FieldDef>(item).map_err(D::Error::custom))
                .collect::<Result<_, _>>()
                .map(Fields),
            Value::Object(map) => map
                .into_iter()
                .map(|(name, def)| field_from_entry(name, def).map_err(D::Error::custom))
                .collect::<Result<_, _>>()
                .map(Fields),
            other => Err(D::Error::custom(format!(
                "`fields` must be an array or an object, found {}",
                json_type(&other)
            ))),
        }
    }
}

fn field_from_entry(name: String, def: Value) -> Result<FieldDef, serde_json::Error> {
    match def {
        Value::String(type_) => Ok(FieldDef {
            name: Some(name),
            type_: Some(type_),
            ..FieldDef::default()
        }),
        other => {
            let mut field: FieldDef = serde_json::from_value(other)?;
            field.name.get_or_insert(name);
            Ok(field)
        }
    }
}

/// Generates a lenient payload struct: every known field optional, the rest kept in `extra`.
macro_rules! payload_struct {
    ($(#[$doc:meta])* $name:ident { $($(#[$fdoc:meta])* $field:ident : $ty:ty),* $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
        #[serde(rename_all = "camelCase")]
        pub struct $name {
            $( $(#[$fdoc])* #[serde(default)] pub $field: Option<$ty>, )*
            /// Fields this version of moment-sync does not interpret, kept as they came.
            #[serde(flatten)]
            pub extra: BTreeMap<String, Value>,
        }
    };
}

payload_struct!(
    /// A bounded context was defined.
    BoundedContextDefined { name: String, description: String }
);
payload_struct!(
    /// An aggregate was added to a bounded context.
    AggregateAdded { name: String, bounded_context: String, identity: Value, description: String }
);
payload_struct!(
    /// A command was defined on an aggregate.
    CommandDefined { name: String, aggregate: String, bounded_context: String, fields: Fields }
);
payload_struct!(
    /// A domain event was defined; its fields may carry `deprecated { reason, replacement }`.
    EventDefined { name: String, aggregate: String, bounded_context: String, fields: Fields }
);
payload_struct!(
    /// A value object was defined.
    ValueObjectDefined { name: String, bounded_context: String, fields: Fields }
);
payload_struct!(
    /// An invariant was defined on an aggregate.
    InvariantDefined { name: String, aggregate: String, expression: String, description: String }
);
payload_struct!(
    /// A policy (when event, then command) was defined.
    PolicyDefined { name: String, trigger: Value, command: Value, description: String }
);
payload_struct!(
    /// A saga was defined.
    SagaDefined { name: String, steps: Vec<Value>, description: String }
);
payload_struct!(
    /// moment-sync's own signal: a reconciliation finished.
    MomentReconcileCompleted {
        /// The outcome (`applied`, `drift`, `breaking`, …) or a structured result.
        reconcile_result: Value,
        /// 1, 2 or 3 (drift-model §6).
        cascade_category: u8,
    }
);

/// The payload, typed when the event type is known.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Payload {
    BoundedContextDefined(BoundedContextDefined),
    AggregateAdded(AggregateAdded),
    CommandDefined(CommandDefined),
    EventDefined(EventDefined),
    ValueObjectDefined(ValueObjectDefined),
    InvariantDefined(InvariantDefined),
    PolicyDefined(PolicyDefined),
    SagaDefined(SagaDefined),
    MomentReconcileCompleted(MomentReconcileCompleted),
    /// An event type this version does not know, kept as raw JSON.
    Unknown(Map<String, Value>),
}

/// The event types [`Payload`] has a typed variant for.
pub const KNOWN_EVENT_TYPES: [&str; 9] = [
    "BoundedContextDefined",
    "AggregateAdded",
    "CommandDefined",
    "EventDefined",
    "ValueObjectDefined",
    "InvariantDefined",
    "PolicyDefined",
    "SagaDefined",
    "MomentReconcileCompleted",
];

impl Payload {
    /// Types the payload of `event_type`. A known type whose fields have unusable types (say,
    /// `name: 3`) is an error; unknown keys never are.
    pub fn parse(event_type: &str, payload: &Map<String, Value>) -> Result<Payload, String> {
        fn typed<T: serde::de::DeserializeOwned>(
            payload: &Map<String, Value>,
        ) -> Result<T, String> {
            // Cloning one payload is cheap next to the line we already parsed; it keeps the raw
            // map available for the unknown-type path and for error messages.
            serde_json::from_value(Value::Object(payload.clone()))
                .map_err(|e| format!("payload: {e}"))
        }
        Ok(match event_type {
            "BoundedContextDefined" => Payload::BoundedContextDefined(typed(payload)?),
            "AggregateAdded" => Payload::AggregateAdded(typed(payload)?),
            "CommandDefined" => Payload::CommandDefined(typed(payload)?),
            "EventDefined" => Payload::EventDefined(typed(payload)?),
            "ValueObjectDefined" => Payload::ValueObjectDefined(typed(payload)?),
            "InvariantDefined" => Payload::InvariantDefined(typed(payload)?),
            "PolicyDefined" => Payload::PolicyDefined(typed(payload)?),
            "SagaDefined" => Payload::SagaDefined(typed(payload)?),
            "MomentReconcileCompleted" => {
                let typed: MomentReconcileCompleted = typed(payload)?;
                if let Some(c) = typed.cascade_category {
                    if !(1..=3).contains(&c) {
                        return Err(format!(
                            "payload: `cascadeCategory` must be 1, 2 or 3, found {c}"
                        ));
                    }
                }
                Payload::MomentReconcileCompleted(typed)
            }
            _ => Payload::Unknown(payload.clone()),
        })
    }

    pub fn is_known(&self) -> bool {
        !matches!(self, Payload::Unknown(_))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn envelope(overrides: Value) -> Value {
        let mut base = json!({
            "eventId": "e1", "eventType": "CommandDefined", "version": 1, "productSource": "sift",
            "sessionId": "s1", "causationEventIds": [], "correlationId": null,
            "timestamp": "2024-05-01T10:00:00+02:00", "payload": {"name": "PlaceOrder"}
        });
        if let (Value::Object(b), Value::Object(o)) = (&mut base, overrides) {
            for (k, v) in o {
                if v == json!("__remove__") {
                    b.remove(&k);
                } else {
                    b.insert(k, v);
                }
            }
        }
        base
    }

    #[test]
    fn accepts_a_well_formed_envelope() {
        let e = Envelope::from_value(envelope(json!({}))).unwrap();
        assert_eq!(e.event_id, "e1");
        assert_eq!(
            e.timestamp,
            "2024-05-01T08:00:00Z".parse::<Timestamp>().unwrap()
        );
        assert_eq!(e.correlation_id, None);
    }

    #[test]
    fn names_the_bad_field() {
        let cases = [
            (json!({"eventId": "__remove__"}), "missing field `eventId`"),
            (
                json!({"version": "1"}),
                "field `version` must be a non-negative integer, found a string",
            ),
            (json!({"causationEventIds": [1]}), "causationEventIds[]"),
            (
                json!({"payload": null}),
                "field `payload` must be an object, found null",
            ),
            (
                json!({"timestamp": "2024-05-01T10:00:00"}),
                "field `timestamp`",
            ),
            (json!({"eventId": ""}), "must not be empty"),
        ];
        for (overrides, expected) in cases {
            let err = Envelope::from_value(envelope(overrides.clone())).unwrap_err();
            assert!(err.contains(expected), "{overrides}: {err}");
        }
        assert_eq!(
            Envelope::from_value(Value::Null).unwrap_err(),
            "expected a JSON object, found null"
        );
    }

    #[test]
    fn instants_with_any_offset() {
        let a = parse_instant("2024-05-01T10:00:00+02:00").unwrap();
        let b = parse_instant("2024-05-01T08:00:00Z").unwrap();
        let c = parse_instant("2024-05-01T03:30:00-0430").unwrap();
        assert_eq!(a, b);
        assert_eq!(b, c);
        assert_eq!(
            parse_since("2024-05-01").unwrap(),
            parse_instant("2024-05-01T00:00:00Z").unwrap()
        );
        assert!(parse_since("yesterday").is_err());
    }

    #[test]
    fn typed_payloads_keep_extra_fields_and_read_deprecations() {
        let payload = json!({
            "name": "OrderPlaced", "aggregate": "Order", "colour": "blue",
            "fields": [{"name": "total", "type": "number",
                        "deprecated": {"reason": "use amount", "replacement": "amount"}}]
        });
        let Value::Object(map) = payload else {
            unreachable!()
        };
        let Payload::EventDefined(e) = Payload::parse("EventDefined", &map).unwrap() else {
            panic!()
        };
        assert_eq!(e.extra.get("colour"), Some(&json!("blue")));
        let fields = e.fields.unwrap().0;
        assert_eq!(
            fields[0]
                .deprecated
                .as_ref()
                .unwrap()
                .replacement
                .as_deref(),
            Some("amount")
        );
    }

    #[test]
    fn fields_as_a_map() {
        let Value::Object(map) = json!({"name": "Money", "fields": {"amount": "number", "currency": {"type": "string"}}})
        else {
            unreachable!()
        };
        let Payload::ValueObjectDefined(v) = Payload::parse("ValueObjectDefined", &map).unwrap()
        else {
            panic!()
        };
        let fields = v.fields.unwrap().0;
        assert_eq!(fields.len(), 2);
        assert_eq!(fields[1].name.as_deref(), Some("currency"));
        assert_eq!(fields[1].type_.as_deref(), Some("string"));
    }

    #[test]
    fn reconcile_completed_and_unknown() {
        let Value::Object(map) = json!({"reconcileResult": "applied", "cascadeCategory": 1}) else {
            unreachable!()
        };
        assert!(matches!(
            Payload::parse("MomentReconcileCompleted", &map).unwrap(),
            Payload::MomentReconcileCompleted(MomentReconcileCompleted {
                cascade_category: Some(1),
                ..
            })
        ));
        let Value::Object(bad) = json!({"cascadeCategory": 7}) else {
            unreachable!()
        };
        assert!(Payload::parse("MomentReconcileCompleted", &bad).is_err());
        assert!(!Payload::parse("SomethingNew", &map).unwrap().is_known());
        let Value::Object(wrong) = json!({"name": 3}) else {
            unreachable!()
        };
        assert!(Payload::parse("CommandDefined", &wrong)
            .unwrap_err()
            .contains("payload"));
    }
}
