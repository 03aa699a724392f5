// Short notices that confirm what just happened ("Tersimpan", "Menunggu koneksi",
// "Selesai") without moving the page: shown by components/Toasts.svelte, gone
// after a few seconds or when closed. Errors a person must act on stay beside
// the form that caused them, not here.
export type ToastKind = 'ok' | 'pending' | 'done';

export interface Toast {
  id: number;
  text: string;
  kind: ToastKind;
}

class Toasts {
  items = $state.raw<Toast[]>([]);
  private next = 1;

  show(text: string, kind: ToastKind = 'ok', ms = 4000) {
    const id = this.next++;
    this.items = [...this.items.slice(-3), { id, text, kind }];
    setTimeout(() => this.dismiss(id), ms);
    return id;
  }

  dismiss(id: number) {
    this.items = this.items.filter((t) => t.id !== id);
  }
}

export const toasts = new Toasts();
