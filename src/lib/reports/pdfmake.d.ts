// The part of pdfmake 0.2's browser build (a UMD bundle without types) that the reports use.
declare module 'pdfmake/build/pdfmake.js' {
  interface PdfKitDocument {
    on(event: 'readable' | 'end', cb: () => void): void;
    on(event: 'error', cb: (e: unknown) => void): void;
    read(size: number): Uint8Array | null;
    end(): void;
  }
  interface PdfMakeDocument {
    /** Without a callback: lays the document out now (throwing on bad input) and returns the pdfkit stream. */
    getStream(options?: object): PdfKitDocument;
  }
  const pdfMake: {
    createPdf(doc: object, tableLayouts?: object, fonts?: object, vfs?: Record<string, string>): PdfMakeDocument;
  };
  export default pdfMake;
}
