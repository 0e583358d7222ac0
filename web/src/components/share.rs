//! Sharing: "Copy link", "Embed this", import and export (`.scn`, run as JSON), the notice
//! that says why a link or a file was refused, and the saved session (`localStorage`).
//!
//! The rules (which moment opens, when the saved session is written) are in
//! [`crate::share`]; this module is their browser side. The panel reads the [`Playground`]
//! (its script and view) only when a button is pressed, so a running simulation does not
//! re-encode its link every frame; it changes the simulation only by dispatching
//! [`Action::Load`].

use std::cell::Cell;
use std::rc::Rc;

use logscope_core::link::{self, LinkError, LinkState, MAX_SCRIPT_BYTES};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use yew::prelude::*;

use crate::i18n::trh;
use crate::i18n::{tr, trf, Lang};
use crate::share::{compare_option, embed_snippet, link_url, run_json, Inflated, STORAGE_KEY};
use crate::state::{Action, Playground};

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// The saved session, if any (a `v=1` link string).
pub fn saved_session() -> Option<String> {
    storage()?.get_item(STORAGE_KEY).ok().flatten()
}

/// The page's own address without query or fragment.
pub fn page_base() -> String {
    web_sys::window()
        .map(|w| {
            let l = w.location();
            format!(
                "{}{}",
                l.origin().unwrap_or_default(),
                l.pathname().unwrap_or_default()
            )
        })
        .unwrap_or_default()
}

/// What [`startup`](crate::share::startup) reads: the page's query string (or `query` in tests) and the saved
/// session.
pub fn startup_inputs(query: Option<&str>) -> (String, Option<String>) {
    let from_page = || {
        web_sys::window()
            .and_then(|w| w.location().search().ok())
            .unwrap_or_default()
    };
    (
        query.map_or_else(from_page, str::to_string),
        saved_session(),
    )
}

/// Whether the page's link or the saved session carries its scenario compressed (`z=`), to be
/// inflated ([`inflate_inputs`]) before the app opens.
pub fn needs_inflating(query: &str, saved: Option<&str>) -> bool {
    link::packed(query).is_some() || saved.and_then(link::packed).is_some()
}

/// Inflates the compressed scenarios of the page's link and of the saved session with the
/// browser's `DecompressionStream`, for [`startup`](crate::share::startup).
pub async fn inflate_inputs(query: &str, saved: Option<&str>) -> Inflated {
    let link = match link::packed(query) {
        Some(p) => Some(inflate_raw(&p).await),
        None => None,
    };
    let saved = match saved.and_then(link::packed) {
        Some(p) => Some(inflate_raw(&p).await),
        None => None,
    };
    Inflated {
        link,
        saved,
        korean: None,
    }
}

/// The moment on screen, as a link state.
pub fn moment(state: &Playground, view: &str) -> LinkState {
    LinkState {
        script: state.script(),
        seed: state.seed(),
        step: state.view().step,
        view: view.to_string(),
        lang: state.lang().tag().to_string(),
    }
}

/// The moment as a link's query string (`link::encode_with`), handed to `done`: at once for a
/// short script, after the browser compressed it for a long one (`CompressionStream` with
/// `deflate-raw`, so no compressor ships in the page: ARCHITECTURE.md). A browser that cannot
/// compress gets the link with the text (`s=`): longer, the same moment.
pub fn encode_link(state: LinkState, done: impl FnOnce(String) + 'static) {
    if !link::compresses(&state) {
        return done(link::encode_with(&state, None));
    }
    wasm_bindgen_futures::spawn_local(async move {
        let deflated = deflate_raw(state.script.as_bytes()).await;
        done(link::encode_with(&state, deflated.as_deref()));
    });
}

// web-sys has `CompressionStream` only behind `--cfg=web_sys_unstable_apis`; the three members
// used here, declared directly.
#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    type CompressionStream;
    #[wasm_bindgen(constructor, catch)]
    fn new(format: &str) -> Result<CompressionStream, JsValue>;
    #[wasm_bindgen(method, getter)]
    fn readable(this: &CompressionStream) -> web_sys::ReadableStream;
    #[wasm_bindgen(method, getter)]
    fn writable(this: &CompressionStream) -> web_sys::WritableStream;
}

#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    type DecompressionStream;
    #[wasm_bindgen(constructor, catch)]
    fn new(format: &str) -> Result<DecompressionStream, JsValue>;
    #[wasm_bindgen(method, getter)]
    fn readable(this: &DecompressionStream) -> web_sys::ReadableStream;
    #[wasm_bindgen(method, getter)]
    fn writable(this: &DecompressionStream) -> web_sys::WritableStream;
}

/// Raw DEFLATE (RFC 1951) inflated by the browser, read a chunk at a time and given up past
/// [`MAX_SCRIPT_BYTES`] (a link of a few kilobytes can inflate to megabytes), with the reasons
/// `link::inflate` gives natively.
async fn inflate_raw(packed: &[u8]) -> Result<Vec<u8>, LinkError> {
    let damaged = || LinkError::Damaged("it does not decompress");
    let stream = DecompressionStream::new("deflate-raw").map_err(|_| LinkError::CannotInflate)?;
    let reader: web_sys::ReadableStreamDefaultReader =
        piped(packed, &stream.readable(), &stream.writable())
            .ok_or_else(damaged)?
            .get_reader()
            .unchecked_into();
    let mut out = Vec::new();
    loop {
        // A stream that is not valid DEFLATE rejects the read.
        let chunk = wasm_bindgen_futures::JsFuture::from(reader.read())
            .await
            .map_err(|_| damaged())?;
        if js_sys::Reflect::get(&chunk, &JsValue::from_str("done"))
            .map_err(|_| damaged())?
            .is_truthy()
        {
            return Ok(out);
        }
        let value =
            js_sys::Reflect::get(&chunk, &JsValue::from_str("value")).map_err(|_| damaged())?;
        let bytes: js_sys::Uint8Array = value.dyn_into().map_err(|_| damaged())?;
        if out.len() + bytes.length() as usize > MAX_SCRIPT_BYTES {
            let _ = reader.cancel();
            return Err(LinkError::ScriptTooLarge {
                limit: MAX_SCRIPT_BYTES,
            });
        }
        out.extend_from_slice(&bytes.to_vec());
    }
}

/// `bytes` piped through a transform stream given by its two ends (the browser's
/// `CompressionStream` or `DecompressionStream`): what comes out, to read.
fn piped(
    bytes: &[u8],
    readable: &web_sys::ReadableStream,
    writable: &web_sys::WritableStream,
) -> Option<web_sys::ReadableStream> {
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    let blob = web_sys::Blob::new_with_u8_array_sequence(&parts).ok()?;
    let pair = web_sys::ReadableWritablePair::new(readable, writable);
    Some(blob.stream().pipe_through(&pair))
}

/// `bytes` as raw DEFLATE (RFC 1951), compressed by the browser.
pub async fn deflate_raw(bytes: &[u8]) -> Option<Vec<u8>> {
    let stream = CompressionStream::new("deflate-raw").ok()?;
    let compressed = piped(bytes, &stream.readable(), &stream.writable())?;
    let response = web_sys::Response::new_with_opt_readable_stream(Some(&compressed)).ok()?;
    let buffer = wasm_bindgen_futures::JsFuture::from(response.array_buffer().ok()?)
        .await
        .ok()?;
    Some(js_sys::Uint8Array::new(&buffer).to_vec())
}

/// Keeps the session in `localStorage` once the user has changed something in this tab
/// (a pointer press or a key inside the page), at most once a second while running and at
/// every change while paused. Off in an embedded page.
#[hook]
pub fn use_saved_session(state: &UseReducerHandle<Playground>, view: String, enabled: bool) {
    let acted = use_mut_ref(|| Rc::new(Cell::new(false)));
    let last_saved = use_mut_ref(|| -1e12f64);
    // How many saves were started: a compressed one answers later (see `encode_link`).
    let saves = use_mut_ref(|| 0u64);
    {
        let acted = acted.borrow().clone();
        use_effect_with(enabled, move |&enabled| {
            let listeners = enabled.then(|| {
                let flag = acted.clone();
                let listener = Closure::<dyn Fn(web_sys::Event)>::new(move |_| flag.set(true));
                let document = web_sys::window().and_then(|w| w.document());
                if let Some(d) = &document {
                    for kind in ["pointerdown", "keydown"] {
                        let _ = d.add_event_listener_with_callback_and_bool(
                            kind,
                            listener.as_ref().unchecked_ref(),
                            true,
                        );
                    }
                }
                (document, listener)
            });
            move || {
                if let Some((Some(d), listener)) = listeners {
                    for kind in ["pointerdown", "keydown"] {
                        let _ = d.remove_event_listener_with_callback_and_bool(
                            kind,
                            listener.as_ref().unchecked_ref(),
                            true,
                        );
                    }
                }
            }
        });
    }
    let key = (
        state.position(),
        state.total(),
        state.lang(),
        state.running(),
        state.seed(),
    );
    let state = state.clone();
    use_effect_with(key, move |&(_, _, _, running, _)| {
        let now = web_sys::window()
            .and_then(|w| w.performance())
            .map_or(0.0, |p| p.now());
        if enabled && acted.borrow().get() && (!running || now - *last_saved.borrow() >= 1000.0) {
            *last_saved.borrow_mut() = now;
            // A long script is compressed by the browser, which answers later: a save that
            // finishes after a newer one started is dropped, so the newest moment stays saved.
            *saves.borrow_mut() += 1;
            let seq = *saves.borrow();
            let saves = saves.clone();
            encode_link(moment(&state, &view), move |query| {
                if *saves.borrow() != seq {
                    return;
                }
                if let Some(s) = storage() {
                    // A full storage (quota) keeps the previous session; the page goes on.
                    if s.set_item(STORAGE_KEY, &query).is_err() {
                        web_sys::console::warn_1(&JsValue::from_str(
                            "logscope: the session could not be saved (browser storage is full or off)",
                        ));
                    }
                }
            });
        }
    });
}

/// On opening, brings the part of the page a link's `view` names into sight (the page shows
/// every part at once; `log` has no panel of its own yet and stays on the cluster).
#[hook]
pub fn use_open_view(view: String) {
    use_effect_with((), move |_| {
        let selector = match view.as_str() {
            "timeline" => Some(".events"),
            "groups" => Some(".groups"),
            "console" => Some(".console"),
            _ => None,
        };
        if let Some(sel) = selector {
            if let Some(el) = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.query_selector(sel).ok().flatten())
            {
                el.scroll_into_view();
            }
        }
    });
}

/// Writes `text` to the clipboard; `done(true)` when it was written, `done(false)` when the
/// browser refused (no permission, an insecure page, no clipboard at all).
fn copy_to_clipboard(text: &str, done: Callback<bool>) {
    let attempt = || -> Option<js_sys::Promise> {
        let navigator = web_sys::window()?.navigator();
        let clipboard = js_sys::Reflect::get(&navigator, &JsValue::from_str("clipboard")).ok()?;
        if clipboard.is_undefined() || clipboard.is_null() {
            return None;
        }
        let write = js_sys::Reflect::get(&clipboard, &JsValue::from_str("writeText")).ok()?;
        let write: js_sys::Function = write.dyn_into().ok()?;
        write
            .call1(&clipboard, &JsValue::from_str(text))
            .ok()?
            .dyn_into()
            .ok()
    };
    match attempt() {
        Some(promise) => {
            let ok = done.clone();
            let on_ok: Closure<dyn FnMut(JsValue)> = Closure::once(move |_: JsValue| ok.emit(true));
            let on_err: Closure<dyn FnMut(JsValue)> =
                Closure::once(move |_: JsValue| done.emit(false));
            let _ = promise.then2(&on_ok, &on_err);
            // The promise settles once, later; the two small closures stay alive until then.
            on_ok.forget();
            on_err.forget();
        }
        None => done.emit(false),
    }
}

/// Offers `text` as a file download named `name`.
fn download(name: &str, mime: &str, text: &str) {
    let run = || -> Option<()> {
        let parts = js_sys::Array::of1(&JsValue::from_str(text));
        let options = web_sys::BlobPropertyBag::new();
        options.set_type(mime);
        let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options).ok()?;
        let url = web_sys::Url::create_object_url_with_blob(&blob).ok()?;
        let document = web_sys::window()?.document()?;
        let a: web_sys::HtmlAnchorElement = document.create_element("a").ok()?.dyn_into().ok()?;
        a.set_href(&url);
        a.set_download(name);
        a.click();
        let _ = web_sys::Url::revoke_object_url(&url);
        Some(())
    };
    if run().is_none() {
        web_sys::console::warn_1(&JsValue::from_str("logscope: the download could not start"));
    }
}

#[derive(Properties, PartialEq)]
pub struct NoticeProps {
    pub notices: Vec<String>,
    pub lang: Lang,
    pub on_dismiss: Callback<()>,
}

/// Why a link, a saved session or a file was not used: plain text, dismissible.
#[function_component]
pub fn Notice(props: &NoticeProps) -> Html {
    if props.notices.is_empty() {
        return html! {};
    }
    let on_dismiss = props.on_dismiss.reform(|_: MouseEvent| ());
    html! {
        <div class="notice" role="status" data-role="notice">
            <ul class="notice__list">
                { for props.notices.iter().map(|n| html! { <li>{ n.clone() }</li> }) }
            </ul>
            <button type="button" class="notice__dismiss" data-action="dismiss-notice" onclick={on_dismiss}>
                { trh(props.lang, "Dismiss") }
            </button>
        </div>
    }
}

#[derive(Properties, PartialEq)]
pub struct SharePanelProps {
    pub state: UseReducerHandle<Playground>,
    /// The view the link selects (`cluster`, `timeline`, …).
    pub view: String,
    /// The setting compare mode shows, if it is open: links and snippets reopen it.
    #[prop_or_default]
    pub compare: Option<logscope_core::compare::Setting>,
}

#[derive(Clone, PartialEq)]
enum Shown {
    Nothing,
    Link {
        url: String,
        copied: Option<bool>,
    },
    Embed {
        snippet: String,
        copied: Option<bool>,
    },
}

/// The share bar: Copy link, Embed this, Import `.scn`, Export `.scn`, Export run (JSON).
#[function_component]
pub fn SharePanel(props: &SharePanelProps) -> Html {
    let lang = props.state.lang();
    let shown = use_state(|| Shown::Nothing);
    let compare = props.compare;
    let on_copy_link = {
        let state = props.state.clone();
        let view = props.view.clone();
        let shown = shown.clone();
        Callback::from(move |_: MouseEvent| {
            let shown = shown.clone();
            encode_link(moment(&state, &view), move |query| {
                let url = format!(
                    "{}{}",
                    link_url(&page_base(), &query),
                    compare_option(compare)
                );
                shown.set(Shown::Link {
                    url: url.clone(),
                    copied: None,
                });
                let shown = shown.clone();
                copy_to_clipboard(
                    &url.clone(),
                    Callback::from(move |ok| {
                        shown.set(Shown::Link {
                            url: url.clone(),
                            copied: Some(ok),
                        })
                    }),
                );
            });
        })
    };
    let on_embed = {
        let state = props.state.clone();
        let view = props.view.clone();
        let shown = shown.clone();
        Callback::from(move |_: MouseEvent| {
            let shown = shown.clone();
            encode_link(moment(&state, &view), move |query| {
                shown.set(Shown::Embed {
                    snippet: embed_snippet(&page_base(), &query, None, compare),
                    copied: None,
                });
            });
        })
    };
    let on_copy_snippet = {
        let shown = shown.clone();
        Callback::from(move |_: MouseEvent| {
            if let Shown::Embed { snippet, .. } = (*shown).clone() {
                let shown = shown.clone();
                copy_to_clipboard(
                    &snippet.clone(),
                    Callback::from(move |ok| {
                        shown.set(Shown::Embed {
                            snippet: snippet.clone(),
                            copied: Some(ok),
                        })
                    }),
                );
            }
        })
    };
    let on_export_scn = {
        let state = props.state.clone();
        Callback::from(move |_: MouseEvent| {
            download(
                &format!(
                    "logscope-seed{}-step{}.scn",
                    state.seed(),
                    state.view().step
                ),
                "text/plain",
                &state.script_to_here(),
            );
        })
    };
    let on_export_json = {
        let state = props.state.clone();
        let view = props.view.clone();
        Callback::from(move |_: MouseEvent| {
            let events: Vec<_> = state.events().iter().map(|e| &*e.event).collect();
            let json = run_json(&moment(&state, &view), state.view(), &events);
            download(
                &format!(
                    "logscope-seed{}-step{}.json",
                    state.seed(),
                    state.view().step
                ),
                "application/json",
                &json,
            );
        })
    };
    let on_import = {
        let dispatcher = props.state.dispatcher();
        Callback::from(move |e: Event| {
            let Some(input) = e.target_dyn_into::<web_sys::HtmlInputElement>() else {
                return;
            };
            let Some(file) = input.files().and_then(|f| f.get(0)) else {
                return;
            };
            input.set_value("");
            let name = file.name();
            if file.size() > MAX_SCRIPT_BYTES as f64 {
                dispatcher.dispatch(Action::Notice(Some(trf(
                    lang,
                    "{0}: this file is too large for a scenario ({1} bytes at most)",
                    &[&name, &MAX_SCRIPT_BYTES],
                ))));
                return;
            }
            let ok = dispatcher.clone();
            let err = dispatcher.clone();
            let on_text: Closure<dyn FnMut(JsValue)> =
                Closure::once(move |text: JsValue| match text.as_string() {
                    Some(script) => ok.dispatch(Action::Load {
                        script,
                        seed: None,
                        step: None,
                    }),
                    None => ok.dispatch(Action::Notice(Some(format!(
                        "{name}: {}",
                        tr(lang, "not a text file")
                    )))),
                });
            let on_fail: Closure<dyn FnMut(JsValue)> = Closure::once(move |_: JsValue| {
                err.dispatch(Action::Notice(Some(
                    tr(
                        lang,
                        "the file could not be read (it is not UTF-8 text, or the browser refused)",
                    )
                    .into(),
                )))
            });
            let _ = file.text().then2(&on_text, &on_fail);
            on_text.forget();
            on_fail.forget();
        })
    };

    let status = |copied: &Option<bool>| match copied {
        None => html! {},
        Some(true) => {
            html! { <span class="share__status" data-role="copied">{ trh(lang, "Copied.") }</span> }
        }
        Some(false) => html! {
            <span class="share__status share__status--refused" data-role="copy-refused">
                { trh(lang, "The browser refused the clipboard: select the text and copy it yourself.") }
            </span>
        },
    };
    let select_all = Callback::from(|e: FocusEvent| {
        if let Some(t) = e.target_dyn_into::<web_sys::HtmlInputElement>() {
            t.select();
        } else if let Some(t) = e.target_dyn_into::<web_sys::HtmlTextAreaElement>() {
            t.select();
        }
    });

    html! {
        <section class="share" aria-label={tr(lang, "Share")}>
            <div class="share__buttons">
                <button type="button" class="toolbar__button" data-action="copy-link" onclick={on_copy_link}>
                    { trh(lang, "Copy link") }
                </button>
                <button type="button" class="toolbar__button" data-action="embed" onclick={on_embed}>
                    { trh(lang, "Embed this") }
                </button>
                <label class="toolbar__button share__import">
                    { trh(lang, "Import .scn") }
                    <input type="file" accept=".scn,.txt,text/plain" data-control="import" class="visually-hidden" onchange={on_import} />
                </label>
                <button type="button" class="toolbar__button" data-action="export-scn" onclick={on_export_scn}>
                    { trh(lang, "Export .scn") }
                </button>
                <button type="button" class="toolbar__button" data-action="export-json" onclick={on_export_json}>
                    { trh(lang, "Export run (JSON)") }
                </button>
            </div>
            {
                match &*shown {
                    Shown::Nothing => html! {},
                    Shown::Link { url, copied } => html! {
                        <div class="share__out">
                            <label>
                                <span class="share__label">{ trh(lang, "Link to this moment") }</span>
                                <input type="text" readonly=true class="share__field" data-role="link" value={url.clone()} onfocus={select_all.clone()} />
                            </label>
                            { status(copied) }
                        </div>
                    },
                    Shown::Embed { snippet, copied } => html! {
                        <div class="share__out">
                            <label>
                                <span class="share__label">{ trh(lang, "Paste into a course page (add &origin=<your page's origin> to the src to drive it with postMessage):") }</span>
                                <textarea readonly=true rows="3" class="share__field" data-role="snippet" value={snippet.clone()} onfocus={select_all.clone()} />
                            </label>
                            <button type="button" class="toolbar__button" data-action="copy-snippet" onclick={on_copy_snippet}>
                                { trh(lang, "Copy") }
                            </button>
                            { status(copied) }
                        </div>
                    },
                }
            }
        </section>
    }
}
