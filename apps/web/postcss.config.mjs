// Tailwind CSS 4 runs as a single PostCSS plugin; no tailwind.config file is needed.
export default {
  plugins: {
    "@tailwindcss/postcss": {},
  },
};
