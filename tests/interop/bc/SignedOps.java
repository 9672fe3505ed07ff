// SignedData ops of the Bouncy Castle peer (tests/interop/bc.sh); see CachetPeer.java.
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.cert.CertPath;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import javax.mail.internet.MimeBodyPart;
import javax.mail.internet.MimeMessage;
import javax.mail.internet.MimeMultipart;
import org.bouncycastle.asn1.cms.CMSObjectIdentifiers;
import org.bouncycastle.asn1.cms.ContentInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaCertStore;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cms.CMSDigestedData;
import org.bouncycastle.cms.CMSProcessableByteArray;
import org.bouncycastle.cms.CMSSignedData;
import org.bouncycastle.cms.CMSSignedDataGenerator;
import org.bouncycastle.cms.CMSSignedDataStreamGenerator;
import org.bouncycastle.cms.SignerInfoGenerator;
import org.bouncycastle.cms.SignerInformation;
import org.bouncycastle.cms.jcajce.JcaSignerInfoGeneratorBuilder;
import org.bouncycastle.cms.jcajce.JcaSimpleSignerInfoVerifierBuilder;
import org.bouncycastle.mail.smime.SMIMESigned;
import org.bouncycastle.mail.smime.SMIMESignedGenerator;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;
import org.bouncycastle.util.Store;

/** SignedData: BC signs (generators, S/MIME) and verifies what cachet signed. */
final class SignedOps extends PeerBase {

    static String sign(Opts o) throws Exception {
        String form = o.get("form");
        List<X509Certificate> chain = new ArrayList<>();
        List<SignerInfoGenerator> sigs = new ArrayList<>();
        // --alg/--cert/--key repeat together: one SignerInfo each, in order.
        for (int i = 0; i < o.all("cert").size(); i++) {
            String alg = o.all("alg").get(i);
            X509Certificate c = cert(o.all("cert").get(i));
            PrivateKey k = key(o.all("key").get(i));
            chain.add(c);
            ContentSigner cs;
            try {
                cs = new JcaContentSignerBuilder(alg).setProvider(BC).build(k);
            } catch (Exception e) {
                throw new Unsupported("signature algorithm " + alg + ": " + describe(e));
            }
            JcaSignerInfoGeneratorBuilder b = new JcaSignerInfoGeneratorBuilder(
                    new JcaDigestCalculatorProviderBuilder().setProvider(BC).build());
            sigs.add(o.opt("sid", "issuer").equals("skid") ? b.build(cs, skid(c)) : b.build(cs, c));
        }
        for (String f : o.all("chain")) {
            chain.add(cert(f));
        }
        JcaCertStore store = new JcaCertStore(chain);
        byte[] in = read(o.get("in"));
        byte[] out;
        switch (form) {
            case "smime-detached":
            case "smime-opaque": {
                SMIMESignedGenerator g = new SMIMESignedGenerator();
                sigs.forEach(g::addSignerInfoGenerator);
                g.addCertificates(store);
                MimeBodyPart part = entity(o.get("in"));
                if (form.equals("smime-opaque")) {
                    out = wrapPart(o.opt("from", "alice@example.com"), g.generateEncapsulated(part));
                } else {
                    MimeMultipart mm = g.generate(part);
                    ByteArrayOutputStream b = new ByteArrayOutputStream();
                    b.write((headers(o.opt("from", "alice@example.com")) + "Content-Type: "
                            + mm.getContentType().replaceAll("\r\n\\s*", " ") + "\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
                    mm.writeTo(b);
                    out = b.toByteArray();
                }
                break;
            }
            case "der-detached":
            case "der-opaque":
            case "pem-opaque": {
                CMSSignedDataGenerator g = new CMSSignedDataGenerator();
                sigs.forEach(g::addSignerInfoGenerator);
                g.addCertificates(store);
                CMSProcessableByteArray content = new CMSProcessableByteArray(in);
                if (o.opt("inner", "-").equals("digested")) {
                    content = new CMSProcessableByteArray(CMSObjectIdentifiers.digestedData,
                            OtherOps.digestedData(in, o.opt("inner-alg", "SHA-256")).getEncoded("DER"));
                }
                out = g.generate(content, !form.equals("der-detached")).getEncoded("DER");
                if (form.startsWith("pem")) {
                    out = pem(out);
                }
                break;
            }
            case "der-stream-detached":
            case "der-stream-opaque": {
                // Indefinite-length BER, as a streaming Java application writes it.
                CMSSignedDataStreamGenerator g = new CMSSignedDataStreamGenerator();
                sigs.forEach(g::addSignerInfoGenerator);
                g.addCertificates(store);
                ByteArrayOutputStream b = new ByteArrayOutputStream();
                try (OutputStream s = g.open(b, form.endsWith("opaque"))) {
                    s.write(in);
                }
                out = b.toByteArray();
                break;
            }
            default:
                throw new IllegalArgumentException("sign: unknown form " + form);
        }
        write(o.get("out"), out);
        String self;
        try {
            Opts v = new Opts(List.of("--form", form, "--in", o.get("out"), "--out", o.get("out") + ".self",
                    "--content", o.get("in"), "--ca", o.opt("ca", "-")));
            verify(v);
            self = "self=ok";
        } catch (Exception e) {
            self = "self=fail:" + describe(e).replace(' ', '_');
        }
        return self;
    }

    static String verify(Opts o) throws Exception {
        String form = o.get("form");
        CMSSignedData sd;
        byte[] content = null;
        MimeBodyPart signedPart = null;
        switch (form) {
            case "smime-detached": {
                MimeMessage m = message(o.get("in"));
                Object c = m.getContent();
                if (!(c instanceof MimeMultipart)) {
                    throw new IllegalArgumentException("expected multipart/signed, got " + m.getContentType());
                }
                SMIMESigned s = new SMIMESigned((MimeMultipart) c);
                signedPart = s.getContent();
                sd = s;
                break;
            }
            case "smime-opaque": {
                SMIMESigned s = new SMIMESigned(message(o.get("in")));
                signedPart = s.getContent();
                sd = s;
                break;
            }
            case "der-detached":
            case "der-stream-detached":
                content = read(o.get("content"));
                sd = new CMSSignedData(new CMSProcessableByteArray(content), read(o.get("in")));
                break;
            case "der-opaque":
            case "der-stream-opaque":
            case "pem-opaque":
                sd = new CMSSignedData(form.startsWith("pem") ? unpem(read(o.get("in"))) : read(o.get("in")));
                if (sd.getSignedContent() == null) {
                    throw new IllegalArgumentException("expected encapsulated content, got none");
                }
                content = (byte[]) sd.getSignedContent().getContent();
                if (sd.getSignedContentTypeOID().equals(CMSObjectIdentifiers.digestedData.getId())) {
                    CMSDigestedData dd = new CMSDigestedData(new ContentInfo(CMSObjectIdentifiers.digestedData,
                            org.bouncycastle.asn1.cms.DigestedData.getInstance(content)));
                    if (!dd.verify(new JcaDigestCalculatorProviderBuilder().setProvider(BC).build())) {
                        throw new IllegalArgumentException("inner DigestedData: digest mismatch");
                    }
                    content = (byte[]) dd.getDigestedContent().getContent();
                }
                break;
            default:
                throw new IllegalArgumentException("verify: unknown form " + form);
        }
        Store<X509CertificateHolder> certs = sd.getCertificates();
        Collection<SignerInformation> signers = sd.getSignerInfos().getSigners();
        if (signers.isEmpty()) {
            throw new IllegalArgumentException("no SignerInfo");
        }
        StringBuilder d = new StringBuilder("signers=" + signers.size());
        for (SignerInformation si : signers) {
            @SuppressWarnings("unchecked")
            Collection<X509CertificateHolder> m = certs.getMatches(si.getSID());
            if (m.isEmpty()) {
                throw new IllegalArgumentException("signer certificate not in the message");
            }
            X509CertificateHolder h = m.iterator().next();
            if (!si.verify(new JcaSimpleSignerInfoVerifierBuilder().setProvider(BC).build(h))) {
                throw new IllegalArgumentException("signature does not verify");
            }
            String ca = o.opt("ca", "-");
            if (!ca.equals("-")) {
                checkChain(h, certs, ca);
                d.append(" chain=trusted");
            }
            d.append(" digest=").append(si.getDigestAlgOID()).append(" sig=").append(si.getEncryptionAlgOID());
            d.append(" signedattrs=").append(si.getSignedAttributes() != null);
        }
        if (signedPart != null) {
            write(o.get("out"), bytesOf(signedPart));
        } else if (content != null) {
            write(o.get("out"), content);
        }
        return d.toString();
    }

    /** The signer's certificate chains to CA through the certificates in the message. */
    static void checkChain(X509CertificateHolder leaf, Store<X509CertificateHolder> certs, String ca) throws Exception {
        JcaX509CertificateConverter conv = new JcaX509CertificateConverter().setProvider(BC);
        List<X509Certificate> path = new ArrayList<>();
        X509CertificateHolder cur = leaf;
        X509Certificate root = cert(ca);
        for (int depth = 0; depth < 8; depth++) {
            path.add(conv.getCertificate(cur));
            if (cur.getIssuer().equals(certHolder(ca).getSubject())) {
                break;
            }
            X509CertificateHolder next = null;
            @SuppressWarnings("unchecked")
            Collection<X509CertificateHolder> all = certs.getMatches(null);
            for (X509CertificateHolder h : all) {
                if (h.getSubject().equals(cur.getIssuer())) {
                    next = h;
                }
            }
            if (next == null) {
                throw new IllegalArgumentException("no issuer for " + cur.getSubject() + " in the message");
            }
            cur = next;
        }
        CertificateFactory cf = CertificateFactory.getInstance("X.509", BC);
        CertPath cp = cf.generateCertPath(path);
        PKIXParameters p = new PKIXParameters(Collections.singleton(new TrustAnchor(root, null)));
        p.setRevocationEnabled(false);
        CertPathValidator.getInstance("PKIX").validate(cp, p);
    }
}
