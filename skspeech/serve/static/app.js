// skspeech serve: the page. Records at the browser's own rate and sends raw float32
// samples; the server resamples them to the model's rate and answers.
"use strict";

const $ = (id) => document.getElementById(id);
const HEADERS = { "X-Skspeech": "1" };
let model = null;

function showError(message) {
  const el = $("error");
  el.textContent = message;
  el.hidden = !message;
}

function text(el, value) { el.textContent = value; return el; }

function make(tag, cls, content) {
  const el = document.createElement(tag);
  if (cls) el.className = cls;
  if (content !== undefined) el.textContent = content;
  return el;
}

async function answerOf(response) {
  const body = await response.text();
  let data = null;
  try { data = JSON.parse(body); } catch (e) { data = null; }
  if (!response.ok) {
    throw new Error((data && data.error) || `The server answered ${response.status}: ${body}`);
  }
  return data;
}

// -- the model ------------------------------------------------------------------------
async function loadModel() {
  try {
    model = await answerOf(await fetch("/api/model"));
  } catch (e) {
    showError(`Cannot read the model's description: ${e.message}`);
    return;
  }
  text($("model-file"), `${model.file} (${model.estimator})`);
  const extra = model.no_command.length ? ` + "no command" (${model.no_command.join(", ")})` : "";
  text($("model-words"), model.words.join(", ") + extra);
  text($("model-sr"), `${model.sr} Hz, ${model.window} s per answer`);
  text($("model-created"), model.created ? model.created.replace("T", " ") : "unknown");
  text($("fixed-seconds"), (1.5 * model.window).toFixed(1));
}

// -- the microphone -------------------------------------------------------------------
async function openMicrophone(onSamples) {
  if (!navigator.mediaDevices || !window.AudioWorkletNode) {
    throw new Error("This page cannot use the microphone: browsers give it only to pages on " +
                    "localhost or HTTPS (open http://localhost:PORT, or start skspeech serve " +
                    "with --certfile/--keyfile). Upload works anywhere.");
  }
  // No echo cancellation, noise suppression or gain control: the model was trained on
  // plain recordings.
  const stream = await navigator.mediaDevices.getUserMedia({
    audio: { echoCancellation: false, noiseSuppression: false, autoGainControl: false,
             channelCount: 1 } });
  const ctx = new AudioContext();
  await ctx.audioWorklet.addModule("/static/capture-worklet.js");
  const source = ctx.createMediaStreamSource(stream);
  const node = new AudioWorkletNode(ctx, "skspeech-capture", { numberOfOutputs: 0 });
  node.port.onmessage = (event) => onSamples(event.data);
  source.connect(node);
  if (ctx.state === "suspended") await ctx.resume();
  return {
    sr: ctx.sampleRate,
    close() {
      node.port.onmessage = null;
      source.disconnect();
      stream.getTracks().forEach((t) => t.stop());
      ctx.close();
    },
  };
}

function concat(chunks) {
  const n = chunks.reduce((s, c) => s + c.length, 0);
  const out = new Float32Array(n);
  let i = 0;
  for (const c of chunks) { out.set(c, i); i += c.length; }
  return out;
}

// -- results --------------------------------------------------------------------------
function detectionItem(d) {
  const time = d.time.toFixed(2).padStart(6);
  return make("li", d.command ? "command" : "none",
              `${time} s  ${d.label}  p=${d.probability.toFixed(2)}`);
}

function showResult(r, source) {
  showError("");
  const word = text($("result-word"), r.label);
  word.className = r.command ? "word" : "word none";
  const heard = r.heard[1] - r.heard[0] < r.duration - 0.01
    ? `, heard ${r.heard[0].toFixed(2)}-${r.heard[1].toFixed(2)} s` : "";
  text($("result-detail"), `${source}: ${r.word}, p=${r.probability.toFixed(2)} ` +
       `(${r.duration.toFixed(2)} s received at ${r.received_sr} Hz${heard})`);
  const bars = $("bars");
  bars.replaceChildren();
  r.probabilities.forEach((p, i) => {
    const row = make("div", i === 0 ? "bar-row top" : "bar-row");
    row.append(make("span", "label", p.word === p.label ? p.word : `${p.word} (${p.label})`));
    const bar = make("div", "bar");
    const fill = make("div", "fill");
    fill.style.width = `${(100 * p.p).toFixed(1)}%`;
    bar.append(fill);
    row.append(bar, make("span", "p", p.p.toFixed(2)));
    bars.append(row);
  });
  const found = r.detections || [];
  text($("result-listen"), r.detections ? `The whole ${r.duration.toFixed(1)} s as ` +
       `skspeech listen hears it: ${found.length ? "" : "no command detected."}` : "");
  $("result-detections").replaceChildren(...found.map(detectionItem));
  $("result-notes").replaceChildren(...r.notes.map((n) => make("li", "", n)));
}

// -- record ---------------------------------------------------------------------------
const rec = { mic: null, chunks: [], opening: null, stopWanted: false, timer: null };

async function startRecording() {
  if (rec.mic || rec.opening) return;
  showError("");
  rec.chunks = [];
  rec.stopWanted = false;
  $("record-button").classList.add("active");
  text($("record-status"), "Recording...");
  rec.opening = openMicrophone((x) => rec.chunks.push(x));
  try {
    rec.mic = await rec.opening;
  } catch (e) {
    rec.opening = null;
    $("record-button").classList.remove("active");
    text($("record-status"), "");
    showError(`Microphone: ${e.message}`);
    return;
  }
  rec.opening = null;
  if ($("fixed-window").checked) {
    rec.timer = setTimeout(stopRecording, 1500 * (model ? model.window : 1));
  } else if (rec.stopWanted) {
    stopRecording();
  }
}

async function stopRecording() {
  if (rec.opening) { rec.stopWanted = true; return; }
  if (!rec.mic) return;
  clearTimeout(rec.timer);
  const mic = rec.mic;
  rec.mic = null;
  mic.close();
  $("record-button").classList.remove("active");
  const samples = concat(rec.chunks);
  if (samples.length < 0.2 * mic.sr) {
    text($("record-status"), "");
    showError("The recording is too short: hold the button while you say the word.");
    return;
  }
  text($("record-status"), `Recognising ${(samples.length / mic.sr).toFixed(1)} s...`);
  try {
    const r = await answerOf(await fetch(`/api/predict?sr=${mic.sr}`, {
      method: "POST", headers: { ...HEADERS, "Content-Type": "application/octet-stream" },
      body: samples.buffer }));
    showResult(r, "Recording");
  } catch (e) {
    showError(e.message);
  }
  text($("record-status"), "");
}

function setUpRecord() {
  const button = $("record-button");
  const fixed = () => $("fixed-window").checked;
  button.addEventListener("pointerdown", (e) => { e.preventDefault(); startRecording(); });
  button.addEventListener("pointerup", () => { if (!fixed()) stopRecording(); });
  button.addEventListener("pointerleave", () => { if (!fixed() && rec.mic) stopRecording(); });
  button.addEventListener("keydown", (e) => {
    if ((e.key === " " || e.key === "Enter") && !e.repeat) { e.preventDefault(); startRecording(); }
  });
  button.addEventListener("keyup", (e) => {
    if ((e.key === " " || e.key === "Enter") && !fixed()) stopRecording();
  });
  $("fixed-window").addEventListener("change", () => {
    text(button, fixed() ? "Click to record" : "Hold to record");
  });
}

// -- live -----------------------------------------------------------------------------
const live = { mic: null, ws: null, pending: [], n: 0 };

function stopLive(message) {
  if (live.mic) { live.mic.close(); live.mic = null; }
  if (live.ws && live.ws.readyState === WebSocket.OPEN) live.ws.close();
  live.ws = null;
  text($("live-button"), "Start listening");
  $("live-button").classList.remove("active");
  $("level-fill").style.width = "0";
  if (message !== undefined) text($("live-status"), message);
}

function onLiveMessage(event) {
  const m = JSON.parse(event.data);
  if (m.type === "ready") {
    text($("live-status"), `Listening: ${m.sr_in} Hz from the browser, resampled to ${m.sr} Hz ` +
         `on the server, ${m.window} s windows.`);
  } else if (m.type === "level") {
    $("level-fill").style.width = `${Math.max(0, Math.min(100, 100 + 1.5 * m.db))}%`;
  } else if (m.type === "detection") {
    $("detections").prepend(detectionItem(m));
  } else if (m.type === "error") {
    showError(m.message);
    stopLive("");
  } else if (m.type === "stopped") {
    stopLive(`Stopped after ${m.seconds.toFixed(1)} s.`);
  }
}

async function startLive() {
  showError("");
  $("detections").replaceChildren();
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const ws = new WebSocket(`${scheme}://${location.host}/api/live`);
  ws.binaryType = "arraybuffer";
  live.ws = ws;
  live.pending = [];
  live.n = 0;
  ws.onmessage = onLiveMessage;
  ws.onclose = () => { if (live.ws === ws) stopLive(); };
  ws.onerror = () => showError("The live connection to the server failed.");
  try {
    live.mic = await openMicrophone((x) => {
      live.pending.push(x);
      live.n += x.length;
      if (live.n >= live.mic.sr / 10 && ws.readyState === WebSocket.OPEN) {  // 0.1 s blocks
        ws.send(concat(live.pending).buffer);
        live.pending = [];
        live.n = 0;
      }
    });
  } catch (e) {
    stopLive("");
    showError(`Microphone: ${e.message}`);
    return;
  }
  const begin = () => ws.send(JSON.stringify({ sr: live.mic.sr }));
  if (ws.readyState === WebSocket.OPEN) begin(); else ws.addEventListener("open", begin);
  text($("live-button"), "Stop");
  $("live-button").classList.add("active");
}

function setUpLive() {
  $("live-button").addEventListener("click", () => {
    if (!live.ws) { startLive(); return; }
    if (live.mic) { live.mic.close(); live.mic = null; }
    if (live.ws.readyState === WebSocket.OPEN) live.ws.send(JSON.stringify({ stop: true }));
    else stopLive("");
  });
}

// -- upload ---------------------------------------------------------------------------
async function upload(file) {
  showError("");
  const limit = model ? model.limits.max_upload_mb * 1e6 : Infinity;
  if (file.size > limit) {
    showError(`${file.name} is ${(file.size / 1e6).toFixed(1)} MB; this server takes at most ` +
              `${model.limits.max_upload_mb} MB.`);
    return;
  }
  text($("upload-status"), `Sending ${file.name}...`);
  try {
    const r = await answerOf(await fetch("/api/upload", {
      method: "POST", body: file,
      headers: { ...HEADERS, "Content-Type": "application/octet-stream",
                 "X-Filename": encodeURIComponent(file.name) } }));
    showResult(r, file.name);
  } catch (e) {
    showError(e.message);
  }
  text($("upload-status"), "");
}

function setUpUpload() {
  const zone = $("drop-zone");
  $("upload-input").addEventListener("change", (e) => {
    if (e.target.files.length) upload(e.target.files[0]);
    e.target.value = "";
  });
  zone.addEventListener("dragover", (e) => { e.preventDefault(); zone.classList.add("over"); });
  zone.addEventListener("dragleave", () => zone.classList.remove("over"));
  zone.addEventListener("drop", (e) => {
    e.preventDefault();
    zone.classList.remove("over");
    if (e.dataTransfer.files.length) upload(e.dataTransfer.files[0]);
  });
}

setUpRecord();
setUpLive();
setUpUpload();
loadModel();
