// skspeech serve: hands the microphone's samples to the page, mono (the mean of the
// channels, as skspeech.io.read_audio mixes files), at the AudioContext's own rate.
class SkspeechCapture extends AudioWorkletProcessor {
  process(inputs) {
    const channels = inputs[0];
    if (channels && channels.length) {
      const mono = new Float32Array(channels[0].length);
      for (const ch of channels) {
        for (let i = 0; i < ch.length; i++) mono[i] += ch[i] / channels.length;
      }
      this.port.postMessage(mono, [mono.buffer]);
    }
    return true;
  }
}
registerProcessor("skspeech-capture", SkspeechCapture);
