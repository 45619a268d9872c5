import type { Metadata } from "next";
import { Welcome } from "@/components/welcome";

export const metadata: Metadata = { title: "Home" };

export default function HomePage() {
  return <Welcome />;
}
