//! The frame loop: one callback per frame the browser draws (`requestAnimationFrame`), and one
//! more in the first task after that frame (a `MessageChannel` message posted from the callback,
//! which the browser runs only once it has rendered the frame), so the caller can time the whole
//! frame and not only its own part. A `setInterval` loop could not: its callbacks drift against
//! the display's frames, and a callback whose render is replaced before it is painted is work
//! thrown away (measured at 100×: 1.5 callbacks per drawn frame).
//!
//! Dropping the [`AnimationFrames`] stops the loop. The browser pauses it in a hidden tab.

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{MessageChannel, MessageEvent};

type FrameFn = Closure<dyn FnMut(f64)>;
type AfterFn = Closure<dyn FnMut(MessageEvent)>;

struct Shared {
    handle: Cell<Option<i32>>,
    on_frame: RefCell<Option<FrameFn>>,
    /// The channel of the after-frame message, and its port's handler, held as long as the loop;
    /// none when the caller wants no call after the frame (no message is then posted).
    after: Option<(MessageChannel, AfterFn)>,
}

impl Shared {
    fn request(&self) {
        let Some(window) = web_sys::window() else {
            return;
        };
        if let Some(f) = self.on_frame.borrow().as_ref() {
            self.handle.set(
                window
                    .request_animation_frame(f.as_ref().unchecked_ref())
                    .ok(),
            );
        }
    }
}

/// A running frame loop; see the module docs.
pub(crate) struct AnimationFrames {
    shared: Rc<Shared>,
}

impl AnimationFrames {
    /// Calls `frame` with the frame's timestamp (ms, `performance.now()`'s clock) once per drawn
    /// frame, and `after` (if any) in the first task after that frame. `None` without a window
    /// or a message channel (no browser), when nothing can run anyway.
    pub(crate) fn new(
        mut frame: impl FnMut(f64) + 'static,
        after: Option<Box<dyn FnMut()>>,
    ) -> Option<AnimationFrames> {
        let after = match after {
            Some(mut after) => {
                let channel = MessageChannel::new().ok()?;
                let on_after: AfterFn = Closure::new(move |_: MessageEvent| after());
                channel
                    .port1()
                    .set_onmessage(Some(on_after.as_ref().unchecked_ref()));
                Some((channel, on_after))
            }
            None => None,
        };
        let shared = Rc::new(Shared {
            handle: Cell::new(None),
            on_frame: RefCell::new(None),
            after,
        });
        // The callback holds the loop weakly: dropping the `AnimationFrames` ends it.
        let weak: Weak<Shared> = Rc::downgrade(&shared);
        let on_frame: FrameFn = Closure::new(move |ts: f64| {
            let Some(shared) = weak.upgrade() else {
                return;
            };
            frame(ts);
            if let Some((channel, _)) = &shared.after {
                // Ignored on failure: the next frame is then simply not timed.
                let _ = channel.port2().post_message(&JsValue::NULL);
            }
            shared.request();
        });
        *shared.on_frame.borrow_mut() = Some(on_frame);
        shared.request();
        Some(AnimationFrames { shared })
    }
}

impl Drop for AnimationFrames {
    fn drop(&mut self) {
        // Without its callback the loop requests no further frame, even when this runs inside
        // that callback (wasm-bindgen then frees the closure once the call returns).
        drop(self.shared.on_frame.borrow_mut().take());
        if let (Some(handle), Some(window)) = (self.shared.handle.get(), web_sys::window()) {
            let _ = window.cancel_animation_frame(handle);
        }
        if let Some((channel, _)) = &self.shared.after {
            channel.port1().set_onmessage(None);
        }
    }
}
