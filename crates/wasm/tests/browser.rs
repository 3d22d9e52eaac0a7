//! The bindings in a real browser: headless Chromium through
//! `wasm-bindgen-test` (`scripts/npm/test.sh browser`). These cover what
//! only a browser build shows: strings crossing the boundary as UTF-16,
//! `Uint8Array`s from the page's realm, `Error` and `TypeError` objects,
//! and results as plain objects.
#![cfg(target_arch = "wasm32")]

use js_sys::{Array, Error, JsString, Object, Reflect, TypeError, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

const EMPTY_OBJECT: &str =
    "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a";
const INDEX: &str = r#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","size":700,"digest":"sha256:1111111111111111111111111111111111111111111111111111111111111111","platform":{"architecture":"arm64","os":"linux"},"annotations":{"a":"b"}}]}"#;

fn get(value: &JsValue, key: &str) -> JsValue {
    Reflect::get(value, &JsValue::from_str(key)).unwrap()
}

fn is_plain_object(value: &JsValue) -> bool {
    let prototype = Object::get_prototype_of(value);
    prototype == Object::get_prototype_of(&Object::new())
}

/// A JavaScript string from UTF-16 code units, lone surrogates included.
fn utf16(units: &[u16]) -> JsValue {
    let codes: Array = units.iter().map(|&u| JsValue::from(u)).collect();
    let from_char_code = Reflect::get(&JsString::from("").constructor(), &"fromCharCode".into())
        .unwrap()
        .unchecked_into::<js_sys::Function>();
    from_char_code.apply(&JsValue::NULL, &codes).unwrap()
}

#[wasm_bindgen_test]
fn digest_of_a_string_and_of_its_bytes_agree() {
    let bytes = Uint8Array::from(&b"{}"[..]);

    let of_string = polyarch_wasm::digest("{}".into(), JsValue::UNDEFINED).unwrap();
    let of_bytes = polyarch_wasm::digest(bytes.into(), "sha256".into()).unwrap();

    assert_eq!(of_string, EMPTY_OBJECT);
    assert_eq!(of_bytes, EMPTY_OBJECT);
}

#[wasm_bindgen_test]
fn digest_refuses_a_lone_surrogate_with_an_error() {
    let text = utf16(&[0x7b, 0xd800, 0x7d]);

    let error = polyarch_wasm::digest(text, JsValue::UNDEFINED).unwrap_err();

    assert!(error.is_instance_of::<Error>());
    let message = get(&error, "message").as_string().unwrap();
    assert!(message.contains("U+D800 at index 1"), "{message}");
}

#[wasm_bindgen_test]
fn inspect_returns_plain_objects_with_numbers() {
    let report = polyarch_wasm::inspect(INDEX.into(), JsValue::UNDEFINED).unwrap();

    assert!(is_plain_object(&report));
    assert_eq!(
        get(&report, "kind").as_string().as_deref(),
        Some("oci-index")
    );
    assert_eq!(get(&report, "valid").as_bool(), Some(true));
    assert!(get(&report, "config").is_null());
    let entry = Reflect::get_u32(&get(&report, "entries"), 0).unwrap();
    assert_eq!(get(&entry, "size").as_f64(), Some(700.0));
    assert!(is_plain_object(&get(&entry, "annotations")));
    let platform_string = get(&entry, "platformString").as_string();
    assert_eq!(platform_string.as_deref(), Some("linux/arm64"));
}

#[wasm_bindgen_test]
fn inspect_reports_a_lone_surrogate_instead_of_throwing() {
    let mut units: Vec<u16> = r#"{"a":""#.encode_utf16().collect();
    units.push(0xdc00);
    units.extend(r#""}"#.encode_utf16());

    let report = polyarch_wasm::inspect(utf16(&units), JsValue::UNDEFINED).unwrap();

    assert_eq!(get(&report, "valid").as_bool(), Some(false));
    let diagnostics: Array = get(&report, "diagnostics").unchecked_into();
    let lone = diagnostics
        .iter()
        .find(|d| get(d, "code").as_string().as_deref() == Some("lone-surrogate"))
        .expect("a lone-surrogate diagnostic");
    assert_eq!(get(&lone, "offset").as_f64(), Some(6.0));
}

#[wasm_bindgen_test]
fn a_size_beyond_two_to_the_53_is_null() {
    let text = INDEX.replace("\"size\":700", "\"size\":9007199254740993");

    let report = polyarch_wasm::inspect(text.into(), JsValue::UNDEFINED).unwrap();

    let entry = Reflect::get_u32(&get(&report, "entries"), 0).unwrap();
    assert!(get(&entry, "size").is_null());
}

#[wasm_bindgen_test]
fn select_platform_normalises_the_wanted_platform() {
    let selection =
        polyarch_wasm::select_platform(INDEX.into(), "Linux/AARCH64".into(), JsValue::UNDEFINED)
            .unwrap();

    let entry = get(&selection, "entry");
    assert_eq!(get(&entry, "index").as_f64(), Some(0.0));
    assert_eq!(
        get(&selection, "reason").as_string().as_deref(),
        Some("exact match")
    );
}

#[wasm_bindgen_test]
fn grammar_errors_are_errors_and_wrong_types_are_type_errors() {
    let bad_platform = polyarch_wasm::parse_platform("linux/*".into()).unwrap_err();
    let bad_reference = polyarch_wasm::parse_reference("Foo".into()).unwrap_err();
    let not_text = polyarch_wasm::inspect(JsValue::from(5), JsValue::UNDEFINED).unwrap_err();

    assert!(bad_platform.is_instance_of::<Error>());
    assert!(!bad_platform.is_instance_of::<TypeError>());
    assert!(bad_reference.is_instance_of::<Error>());
    assert!(not_text.is_instance_of::<TypeError>());
}

#[wasm_bindgen_test]
fn parse_challenge_gives_params_as_a_plain_object() {
    let header =
        r#"Bearer realm="https://auth.example.com/token",scope="repository:a/b:pull,push""#;

    let challenge = polyarch_wasm::parse_challenge(header.into()).unwrap();

    assert_eq!(
        get(&challenge, "scheme").as_string().as_deref(),
        Some("bearer")
    );
    let params = get(&challenge, "params");
    assert!(is_plain_object(&params));
    let scope = get(&params, "scope").as_string();
    assert_eq!(scope.as_deref(), Some("repository:a/b:pull,push"));
}
