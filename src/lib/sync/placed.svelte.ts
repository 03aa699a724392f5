// Orders placed on this device during this visit, until the region answers them: the answer is then
// told wherever the shopper is (routes/+layout.svelte), not only as a changed word on "Pesanan saya".
// Only these: an answer to an older order, loaded with the page, is no news.
class Placed {
  ids = $state.raw<string[]>([]);
  add(requestId: string) {
    this.ids = [...this.ids, requestId];
  }
  drop(requestId: string) {
    this.ids = this.ids.filter((id) => id !== requestId);
  }
}
export const placed = new Placed();
